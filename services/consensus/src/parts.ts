import {
  bytesEqual,
  concatBytes,
  type Hasher,
  merkleProofs,
  merkleRoot,
  merkleRootFromProof,
} from "@coken/ledger";
import type { PartSetHeader } from "./types.js";

/**
 * Bytes per block part, CometBFT's block part size: a 3 MiB block travels as 48 gossip messages, and a part's
 * proof stays within 16 hashes.
 */
export const BLOCK_PART_BYTES = 64 * 1024;

/** Most parts a part-set header may name (4 GiB of block at the part size, far above any block bound). */
export const MAX_BLOCK_PARTS = 1 << 16;

/** One part of a split block: its position, its bytes and the sibling hashes from its leaf up to the root. */
export interface Part {
  index: number;
  bytes: Uint8Array;
  proof: Uint8Array[];
}

function checkPartSize(partSize: number): void {
  if (!Number.isSafeInteger(partSize) || partSize < 1)
    throw new RangeError("part size must be a positive integer");
}

/** How many parts `byteLength` bytes are cut into. */
export function partCount(byteLength: number, partSize = BLOCK_PART_BYTES): number {
  checkPartSize(partSize);
  return Math.ceil(byteLength / partSize);
}

function cut(bytes: Uint8Array, partSize: number): Uint8Array[] {
  checkPartSize(partSize);
  if (bytes.length === 0) throw new RangeError("no bytes to cut into parts");
  const total = partCount(bytes.length, partSize);
  if (total > MAX_BLOCK_PARTS) throw new RangeError(`more than ${MAX_BLOCK_PARTS} parts`);
  return Array.from({ length: total }, (_, i) => bytes.subarray(i * partSize, (i + 1) * partSize));
}

/** The Merkle item of a part: H("block.part", bytes), as a tx-root item is H("tx.raw", raw). */
function partItem(h: Hasher, bytes: Uint8Array): Uint8Array {
  return h.hash("block.part", bytes);
}

/**
 * Cuts `bytes` into parts of `partSize` bytes (the last one holds the rest: 1 … partSize bytes) and returns the
 * part-set header, {total, root = Merkle root over H("block.part", part) in order}, with every part's inclusion
 * proof. Throws RangeError for empty bytes, a bad part size or more than MAX_BLOCK_PARTS parts.
 */
export function splitIntoParts(
  h: Hasher,
  bytes: Uint8Array,
  partSize = BLOCK_PART_BYTES,
): { header: PartSetHeader; parts: Part[] } {
  const chunks = cut(bytes, partSize);
  const { root, proofs } = merkleProofs(
    h,
    chunks.map((c) => partItem(h, c)),
  );
  const parts = chunks.map((c, index) => ({ index, bytes: c, proof: [...(proofs[index]?.siblings ?? [])] }));
  return { header: { total: chunks.length, root }, parts };
}

/** The part-set header of `bytes` without the proofs (what a signature over a proposal covers). */
export function partSetHeader(h: Hasher, bytes: Uint8Array, partSize = BLOCK_PART_BYTES): PartSetHeader {
  const chunks = cut(bytes, partSize);
  return {
    total: chunks.length,
    root: merkleRoot(
      h,
      chunks.map((c) => partItem(h, c)),
    ),
  };
}

/**
 * Whether `part` is part `part.index` of the set `header` names: the index is below `total`, the size fits the
 * position (every part but the last is exactly `partSize` bytes, the last 1 … partSize), and the proof leads from
 * the part to the root. So a part set has one shape, and its joined bytes are the bytes the root was made over.
 */
export function verifyPart(
  h: Hasher,
  header: PartSetHeader,
  part: Part,
  partSize = BLOCK_PART_BYTES,
): boolean {
  const { index, bytes, proof } = part;
  const { total } = header;
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_BLOCK_PARTS) return false;
  if (!Number.isSafeInteger(index) || index < 0 || index >= total) return false;
  const sizeFits =
    index < total - 1 ? bytes.length === partSize : bytes.length >= 1 && bytes.length <= partSize;
  if (!sizeFits) return false;
  const root = merkleRootFromProof(h, partItem(h, bytes), { index, count: total, siblings: proof });
  return root !== null && bytesEqual(root, header.root);
}

/** The bytes of a complete part set: its parts joined in index order. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}
