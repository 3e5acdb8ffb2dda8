import { bytesEqual } from "../bytes.js";
import type { Hasher } from "./hash.js";

/**
 * Compact sparse Merkle tree over 256-bit key hashes. The root of a set S of (keyHash, valueHash) at depth d is
 *   EMPTY (32 zero bytes)                       if S is empty,
 *   H("smt.leaf", keyHash || valueHash)         if S has one entry,
 *   H("smt.node", root(S0, d+1) || root(S1, d+1)) otherwise, where S0/S1 split S by bit d of keyHash (MSB first).
 * It is a function of the set alone, so every peer gets the same root, and an entry (or its absence) is proven
 * by the sibling hashes along its path.
 */
export const SMT_EMPTY = new Uint8Array(32);

interface Leaf {
  readonly kind: "leaf";
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  hash: Uint8Array | null;
}
interface Branch {
  readonly kind: "branch";
  left: SmtNode | null;
  right: SmtNode | null;
  hash: Uint8Array | null;
}
type SmtNode = Leaf | Branch;

function bit(key: Uint8Array, depth: number): 0 | 1 {
  return (((key[depth >> 3] as number) >> (7 - (depth & 7))) & 1) as 0 | 1;
}

/** A proof step: the sibling subtree root at each depth from the root down to where the path ends. */
export interface SmtProof {
  readonly siblings: readonly Uint8Array[];
  /** The leaf found where the path ends, if its key differs from the one asked for (non-membership). */
  readonly other: { keyHash: Uint8Array; valueHash: Uint8Array } | null;
}

export class SparseMerkleTree {
  private root: SmtNode | null = null;

  constructor(private readonly h: Hasher) {}

  /** Inserts or replaces the entry for keyHash. */
  set(keyHash: Uint8Array, valueHash: Uint8Array): void {
    const leaf: Leaf = { kind: "leaf", keyHash, valueHash, hash: null };
    this.root = this.insert(this.root, 0, leaf);
  }

  /** Removes the entry for keyHash, if present. */
  delete(keyHash: Uint8Array): void {
    this.root = this.remove(this.root, 0, keyHash);
  }

  rootHash(): Uint8Array {
    return this.hashOf(this.root);
  }

  /** Proof of membership or non-membership of keyHash. */
  prove(keyHash: Uint8Array): SmtProof {
    const siblings: Uint8Array[] = [];
    let node = this.root;
    let depth = 0;
    while (node !== null && node.kind === "branch") {
      const b = bit(keyHash, depth);
      siblings.push(this.hashOf(b === 0 ? node.right : node.left));
      node = b === 0 ? node.left : node.right;
      depth++;
    }
    const other =
      node !== null && !bytesEqual(node.keyHash, keyHash)
        ? { keyHash: node.keyHash, valueHash: node.valueHash }
        : null;
    return { siblings, other };
  }

  private insert(node: SmtNode | null, depth: number, leaf: Leaf): SmtNode {
    if (node === null) return leaf;
    if (node.kind === "leaf") {
      if (bytesEqual(node.keyHash, leaf.keyHash)) return leaf;
      return this.split(node, leaf, depth);
    }
    if (bit(leaf.keyHash, depth) === 0) node.left = this.insert(node.left, depth + 1, leaf);
    else node.right = this.insert(node.right, depth + 1, leaf);
    node.hash = null;
    return node;
  }

  private split(a: Leaf, b: Leaf, depth: number): Branch {
    const ba = bit(a.keyHash, depth);
    const bb = bit(b.keyHash, depth);
    if (ba === bb) {
      const child = this.split(a, b, depth + 1);
      return ba === 0
        ? { kind: "branch", left: child, right: null, hash: null }
        : { kind: "branch", left: null, right: child, hash: null };
    }
    return ba === 0
      ? { kind: "branch", left: a, right: b, hash: null }
      : { kind: "branch", left: b, right: a, hash: null };
  }

  private remove(node: SmtNode | null, depth: number, keyHash: Uint8Array): SmtNode | null {
    if (node === null) return null;
    if (node.kind === "leaf") return bytesEqual(node.keyHash, keyHash) ? null : node;
    if (bit(keyHash, depth) === 0) node.left = this.remove(node.left, depth + 1, keyHash);
    else node.right = this.remove(node.right, depth + 1, keyHash);
    node.hash = null;
    // Keep the tree canonical: a subtree holding a single leaf is that leaf.
    if (node.left === null && (node.right === null || node.right.kind === "leaf")) return node.right;
    if (node.right === null && node.left !== null && node.left.kind === "leaf") return node.left;
    return node;
  }

  private hashOf(node: SmtNode | null): Uint8Array {
    if (node === null) return SMT_EMPTY;
    if (node.hash !== null) return node.hash;
    node.hash =
      node.kind === "leaf"
        ? this.h.hash("smt.leaf", node.keyHash, node.valueHash)
        : this.h.hash("smt.node", this.hashOf(node.left), this.hashOf(node.right));
    return node.hash;
  }
}

/**
 * Checks a proof against a root: with `valueHash` it proves membership of (keyHash, valueHash); with null it
 * proves that keyHash is absent.
 */
export function verifySmtProof(
  h: Hasher,
  root: Uint8Array,
  keyHash: Uint8Array,
  valueHash: Uint8Array | null,
  proof: SmtProof,
): boolean {
  let acc: Uint8Array;
  if (valueHash !== null) {
    if (proof.other !== null) return false;
    acc = h.hash("smt.leaf", keyHash, valueHash);
  } else if (proof.other === null) {
    acc = SMT_EMPTY;
  } else {
    if (bytesEqual(proof.other.keyHash, keyHash)) return false;
    // The other leaf must share the path so far, otherwise it could not sit where our key would be.
    for (let d = 0; d < proof.siblings.length; d++)
      if (bit(proof.other.keyHash, d) !== bit(keyHash, d)) return false;
    acc = h.hash("smt.leaf", proof.other.keyHash, proof.other.valueHash);
  }
  for (let d = proof.siblings.length - 1; d >= 0; d--) {
    const s = proof.siblings[d] as Uint8Array;
    acc = bit(keyHash, d) === 0 ? h.hash("smt.node", acc, s) : h.hash("smt.node", s, acc);
  }
  return bytesEqual(acc, root);
}
