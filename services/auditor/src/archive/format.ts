import {
  type CborValue,
  codec,
  decodeCbor,
  EncodingError,
  encodeCbor,
  HASH_LENGTH,
  type Hasher,
} from "@coken/ledger";

/** The format name in an archive's genesis frame and in docs/spec/archive.md. */
export const ARCHIVE_FORMAT = "coken-archive/1";

/** Bytes every archive starts with. */
export const ARCHIVE_MAGIC = new TextEncoder().encode("COKENAR1");

/** Frame kinds in the order an archive holds them (docs/spec/archive.md §3). */
export type FrameKind = "genesis" | "block" | "seen" | "key" | "proof" | "end";

export const FRAME_ORDER: readonly FrameKind[] = ["genesis", "block", "seen", "key", "proof", "end"];

/** One archive frame: its position, kind, payload and the link of the frame before it. */
export interface Frame {
  seq: number;
  kind: FrameKind;
  body: Uint8Array;
  prev: Uint8Array;
}

/** Largest frame accepted (a block of 100 000 txs is far below it in practice; bounded so a bad prefix fails fast). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export type ArchiveErrorCode =
  | "BAD_MAGIC"
  | "BAD_FRAME"
  | "FRAME_TOO_LARGE"
  | "BROKEN_LINK"
  | "OUT_OF_ORDER"
  | "TRUNCATED"
  | "TRAILING_DATA"
  | "BAD_GENESIS";

/** The archive itself is damaged (as opposed to the chain it carries): where, and why. */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
  constructor(
    readonly code: ArchiveErrorCode,
    /** Frame number (0-based), or -1 before the first frame. */
    readonly frame: number,
    message: string,
  ) {
    super(`frame ${frame}: ${message}`);
  }
}

const frameDecoder = codec.struct({
  seq: codec.uint,
  kind: codec.literal(...FRAME_ORDER),
  body: codec.bytes(undefined, MAX_FRAME_BYTES),
  prev: codec.bytes(HASH_LENGTH),
});

export function encodeFrame(frame: Frame): Uint8Array {
  return encodeCbor(frame as unknown as CborValue);
}

/** Parses one frame's bytes; throws ArchiveError BAD_FRAME. */
export function decodeFrame(raw: Uint8Array, index: number): Frame {
  try {
    return frameDecoder(decodeCbor(raw), "frame");
  } catch (e) {
    if (e instanceof EncodingError) throw new ArchiveError("BAD_FRAME", index, e.message);
    throw e;
  }
}

/** link(frame) = H("archive.frame", cbor(frame)); the next frame's `prev`, and for the end frame the digest. */
export function frameLink(h: Hasher, encoded: Uint8Array): Uint8Array {
  return h.hash("archive.frame", encoded);
}

/** The `prev` of frame 0. */
export function startLink(h: Hasher): Uint8Array {
  return h.hash("archive.start");
}

/** u32be length prefix. */
export function lengthPrefix(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}
