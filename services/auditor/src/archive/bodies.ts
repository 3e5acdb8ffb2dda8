import {
  type Block,
  bytesEqual,
  type CborValue,
  codec,
  decodeBlock,
  decodeCbor,
  EncodingError,
  encodeBlock,
  encodeCbor,
  HASH_LENGTH,
} from "@coken/ledger";
import { ArchiveError } from "./format.js";

/** A block as archived: the whole block (header, txs, evidence, lastCommit) and what its exporter claims of it. */
export interface ArchivedBlock {
  block: Block;
  /** The encoded block as it stood in the archive (re-encoding is the identity: the profile is canonical). */
  raw: Uint8Array;
  /** State root after the block, as the exporter's store gives it (checked by replay, never trusted). */
  appHash: Uint8Array;
  /** Per-tx outcome codes as the exporter recorded them (null: applied); checked by replay. */
  results: (string | null)[];
}

/** A proof bundle as the provider kept it: the exact canonical JSON text its receipt's proofHash covers. */
export interface ArchivedProof {
  receipt: Uint8Array;
  bundle: string;
}

export interface ArchiveEnd {
  /** Height of the last block frame. */
  height: number;
  /** Frames before the end frame. */
  frames: number;
}

const blockBody = codec.struct({
  block: codec.bytes(undefined, 1 << 30),
  appHash: codec.bytes(HASH_LENGTH),
  results: codec.array(codec.nullable(codec.text(64)), 100_000),
});
const proofBody = codec.struct({ receipt: codec.bytes(HASH_LENGTH), bundle: codec.text(1 << 20) });
const endBody = codec.struct({ height: codec.uint, frames: codec.uint });

function parse<T>(frame: number, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EncodingError) throw new ArchiveError("BAD_FRAME", frame, `${what}: ${e.message}`);
    throw e;
  }
}

export function encodeBlockBody(b: Omit<ArchivedBlock, "raw" | "block"> & { raw: Uint8Array }): Uint8Array {
  return encodeCbor({ block: b.raw, appHash: b.appHash, results: b.results } as unknown as CborValue);
}

export function decodeBlockBody(body: Uint8Array, frame: number): ArchivedBlock {
  return parse(frame, "block frame", () => {
    const b = blockBody(decodeCbor(body), "block");
    return { block: decodeBlock(b.block), raw: b.block, appHash: b.appHash, results: b.results };
  });
}

/** Encodes a decoded block for an archive (the exporter's side). */
export function blockBytes(block: Block): Uint8Array {
  return encodeBlock(block);
}

export function encodeProofBody(p: ArchivedProof): Uint8Array {
  return encodeCbor(p as unknown as CborValue);
}

export function decodeProofBody(body: Uint8Array, frame: number): ArchivedProof {
  return parse(frame, "proof frame", () => proofBody(decodeCbor(body), "proof"));
}

export function encodeEndBody(e: ArchiveEnd): Uint8Array {
  return encodeCbor(e as unknown as CborValue);
}

export function decodeEndBody(body: Uint8Array, frame: number): ArchiveEnd {
  return parse(frame, "end frame", () => endBody(decodeCbor(body), "end"));
}

export const sameBytes = bytesEqual;
