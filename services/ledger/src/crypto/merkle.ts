import type { Hasher } from "./hash.js";

/**
 * Binary Merkle tree over an ordered list of 32-byte items, shaped as RFC 6962 §2.1 (split at the largest power
 * of two below n): leaf = H("merkle.leaf", item), node = H("merkle.node", left || right), empty list =
 * H("merkle.empty"). Used for tx roots and receipt batch roots.
 */
export function merkleRoot(h: Hasher, items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return h.hash("merkle.empty");
  let level = items.map((item) => h.hash("merkle.leaf", item));
  // Bottom-up pairing gives the same tree as the recursive RFC 6962 split: an odd last node is carried up.
  while (level.length > 1) level = nextLevel(h, level);
  return level[0] as Uint8Array;
}

/**
 * Sibling hashes from the leaf up. Which side each sibling sits on follows from (index, count) alone, so a proof
 * also fixes the item's position.
 */
export interface MerkleProof {
  readonly index: number;
  readonly count: number;
  readonly siblings: readonly Uint8Array[];
}

function nextLevel(h: Hasher, level: readonly Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let j = 0; j + 1 < level.length; j += 2) {
    next.push(h.hash("merkle.node", level[j] as Uint8Array, level[j + 1] as Uint8Array));
  }
  if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
  return next;
}

/** Inclusion proof of `items[index]` in `merkleRoot(items)`. */
export function merkleProof(h: Hasher, items: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= items.length)
    throw new RangeError("index out of range");
  const siblings: Uint8Array[] = [];
  let level = items.map((item) => h.hash("merkle.leaf", item));
  for (let i = index; level.length > 1; i = Math.floor(i / 2)) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < level.length) siblings.push(level[sibling] as Uint8Array);
    level = nextLevel(h, level);
  }
  return { index, count: items.length, siblings };
}

/**
 * The root and the inclusion proof of every item, from one pass over the tree's levels (`merkleProof` walks them
 * once per item, which is quadratic over a whole list). Same tree and proofs as `merkleRoot` and `merkleProof`.
 */
export function merkleProofs(
  h: Hasher,
  items: readonly Uint8Array[],
): { root: Uint8Array; proofs: MerkleProof[] } {
  if (items.length === 0) return { root: h.hash("merkle.empty"), proofs: [] };
  let top = items.map((item) => h.hash("merkle.leaf", item));
  const levels = [top];
  while (top.length > 1) {
    top = nextLevel(h, top);
    levels.push(top);
  }
  const below = levels.slice(0, -1);
  const proofs = items.map((_, index) => {
    const siblings: Uint8Array[] = [];
    let i = index;
    for (const level of below) {
      const sibling = level[i % 2 === 0 ? i + 1 : i - 1];
      if (sibling !== undefined) siblings.push(sibling);
      i = Math.floor(i / 2);
    }
    return { index, count: items.length, siblings };
  });
  return { root: top[0] as Uint8Array, proofs };
}

/**
 * Recomputes the root from one item and its proof, taking sibling sides from (index, count); returns null for a
 * proof whose shape does not fit its count.
 */
export function merkleRootFromProof(h: Hasher, item: Uint8Array, proof: MerkleProof): Uint8Array | null {
  const { index, count, siblings } = proof;
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) return null;
  let acc = h.hash("merkle.leaf", item);
  let used = 0;
  for (let i = index, n = count; n > 1; i = Math.floor(i / 2), n = Math.ceil(n / 2)) {
    if (i % 2 === 1 || i + 1 < n) {
      const s = siblings[used++];
      if (s === undefined) return null;
      acc = i % 2 === 1 ? h.hash("merkle.node", s, acc) : h.hash("merkle.node", acc, s);
    }
  }
  return used === siblings.length ? acc : null;
}
