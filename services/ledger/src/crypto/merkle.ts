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
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(h.hash("merkle.node", level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

/** Sibling hashes from the leaf up; `right` tells whether the sibling sits to the right of the path. */
export interface MerkleProof {
  readonly index: number;
  readonly count: number;
  readonly siblings: readonly { hash: Uint8Array; right: boolean }[];
}

/** Inclusion proof of `items[index]` in `merkleRoot(items)`. */
export function merkleProof(h: Hasher, items: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= items.length)
    throw new RangeError("index out of range");
  const siblings: { hash: Uint8Array; right: boolean }[] = [];
  let level = items.map((item) => h.hash("merkle.leaf", item));
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 0 ? i + 1 : i - 1;
    if (sibling < level.length) siblings.push({ hash: level[sibling] as Uint8Array, right: sibling > i });
    const next: Uint8Array[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      next.push(h.hash("merkle.node", level[j] as Uint8Array, level[j + 1] as Uint8Array));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
    i = Math.floor(i / 2);
  }
  return { index, count: items.length, siblings };
}

/** Recomputes the root from one item and its proof. */
export function merkleRootFromProof(h: Hasher, item: Uint8Array, proof: MerkleProof): Uint8Array {
  let acc = h.hash("merkle.leaf", item);
  for (const s of proof.siblings)
    acc = s.right ? h.hash("merkle.node", acc, s.hash) : h.hash("merkle.node", s.hash, acc);
  return acc;
}
