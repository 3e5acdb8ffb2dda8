import { ZkError } from "../errors.js";
import { type HashSteps, hashBatch, runSteps } from "./batch.js";
import { PackedFields } from "./packed.js";
import { poseidon } from "./poseidon.js";

/**
 * A fixed-depth 4-ary Poseidon Merkle tree: node = Poseidon(c0, c1, c2, c3); an empty leaf is 0 and an empty
 * subtree of height h hashes to zeroHash(h). A 4-ary level costs ~300 constraints in a circuit against ~490
 * for the two binary levels it replaces. `depth` is log2 of the capacity (even).
 */

const ZERO: bigint[] = [0n];

/** Hash of an empty subtree with `levels` 4-ary levels (4^levels empty leaves). */
export function zeroHash(levels: number): bigint {
  while (ZERO.length <= levels) {
    const z = ZERO[ZERO.length - 1] ?? 0n;
    ZERO.push(poseidon([z, z, z, z]));
  }
  return ZERO[levels] ?? 0n;
}

/** An opening of one leaf: position bits (least significant first, two per level) and three siblings per level. */
export interface MerklePath {
  position: number;
  bits: number[];
  siblings: [bigint, bigint, bigint][];
}

export interface QuadTree {
  depth: number;
  /** Leaves that are set (positions 0..size-1); the rest are empty. */
  size: number;
  root: bigint;
  /** The root's four children (the commitment root hashes these, not `root`: docs/spec/zk.md §5). */
  top: [bigint, bigint, bigint, bigint];
  /** The set nodes of each level, leaves first (empty subtrees are implied: `zeroHash`). */
  levels: readonly PackedFields[];
  leaf(position: number): bigint;
  path(position: number): MerklePath;
}

/** Builds a tree of `depth` (even, log2 capacity) over leaves at positions 0..leaves.length-1. */
export function buildQuadTree(depth: number, leaves: readonly bigint[]): QuadTree {
  return runSteps(quadTreeSteps(depth, leaves));
}

/** The steps of `buildQuadTree`: one batch of 4-ary node hashes per level. */
export function* quadTreeSteps(depth: number, leaves: readonly bigint[]): HashSteps<QuadTree> {
  if (depth % 2 !== 0 || depth < 2 || depth > 32)
    throw new ZkError("CAPACITY", "tree depth must be even, 2..32");
  if (leaves.length > 2 ** depth) {
    throw new ZkError("CAPACITY", `${leaves.length} leaves exceed a tree of depth ${depth}`, { depth });
  }
  const height = depth / 2;
  const levels: PackedFields[] = [PackedFields.from(leaves)];
  let below: readonly bigint[] = leaves;
  for (let l = 0; l < height; l++) {
    const z = zeroHash(l);
    const inputs: bigint[] = new Array(4 * Math.ceil(below.length / 4));
    for (let i = 0; i < inputs.length; i++) inputs[i] = below[i] ?? z;
    below = yield* hashBatch(4, inputs);
    levels.push(PackedFields.from(below));
  }
  return quadTreeOf(depth, leaves.length, levels);
}

/** The tree over already hashed levels (as `levels` of a built tree holds them). */
export function quadTreeOf(depth: number, size: number, levels: readonly PackedFields[]): QuadTree {
  const height = depth / 2;
  if (levels.length !== height + 1) throw new ZkError("CAPACITY", "tree levels do not match its depth");
  const root = levels[height]?.at(0) ?? zeroHash(height);
  const nodeAt = (l: number, i: number): bigint => levels[l]?.at(i) ?? zeroHash(l);
  return {
    depth,
    size,
    root,
    levels,
    top: [0, 1, 2, 3].map((i) => nodeAt(height - 1, i)) as [bigint, bigint, bigint, bigint],
    leaf: (position) => nodeAt(0, position),
    path(position) {
      if (!Number.isInteger(position) || position < 0 || position >= 2 ** depth) {
        throw new ZkError("CAPACITY", `position ${position} outside the tree`);
      }
      const bits: number[] = [];
      const siblings: [bigint, bigint, bigint][] = [];
      let pos = position;
      for (let l = 0; l < height; l++) {
        const c = pos % 4;
        const base = pos - c;
        bits.push(c & 1, c >> 1);
        const others = [0, 1, 2, 3].filter((j) => j !== c).map((j) => nodeAt(l, base + j));
        siblings.push(others as [bigint, bigint, bigint]);
        pos = Math.floor(pos / 4);
      }
      return { position, bits, siblings };
    },
  };
}

/** Recomputes the root from a leaf and its path (what the circuits do). */
export function rootFromPath(leaf: bigint, path: MerklePath): bigint {
  let cur = leaf;
  path.siblings.forEach((sib, l) => {
    const c = (path.bits[2 * l] ?? 0) + 2 * (path.bits[2 * l + 1] ?? 0);
    const children = [...sib];
    children.splice(c, 0, cur);
    cur = poseidon(children);
  });
  return cur;
}
