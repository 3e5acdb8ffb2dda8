import type { Hasher } from "./hash.js";

/**
 * Merkle mountain range: an append-only accumulator. Peaks are perfect binary trees of decreasing height
 * (node = H("mmr.node", left || right)); the root bags the peaks from the right:
 * root = H("mmr.root", u64be(leafCount) || bag), bag(p_1..p_k) = p_k if k = 1, else H("mmr.bag", p_1 || bag(p_2..p_k)),
 * and for no leaves root = H("mmr.root", u64be(0)). Appending costs amortised two hashes.
 */
export interface MmrPeak {
  readonly height: number;
  readonly hash: Uint8Array;
}
export interface Mmr {
  readonly leafCount: number;
  readonly peaks: readonly MmrPeak[];
}

export const EMPTY_MMR: Mmr = { leafCount: 0, peaks: [] };

/** Returns the accumulator with `leaf` appended (the input is not changed). */
export function mmrAppend(h: Hasher, mmr: Mmr, leaf: Uint8Array): Mmr {
  const peaks = [...mmr.peaks];
  let node: MmrPeak = { height: 0, hash: leaf };
  for (;;) {
    const last = peaks[peaks.length - 1];
    if (last === undefined || last.height !== node.height) break;
    peaks.pop();
    node = { height: node.height + 1, hash: h.hash("mmr.node", last.hash, node.hash) };
  }
  peaks.push(node);
  return { leafCount: mmr.leafCount + 1, peaks };
}

export function mmrRoot(h: Hasher, mmr: Mmr): Uint8Array {
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(mmr.leafCount));
  let bag: Uint8Array | null = null;
  for (let i = mmr.peaks.length - 1; i >= 0; i--) {
    const peak = (mmr.peaks[i] as MmrPeak).hash;
    bag = bag === null ? peak : h.hash("mmr.bag", peak, bag);
  }
  return bag === null ? h.hash("mmr.root", count) : h.hash("mmr.root", count, bag);
}
