import { ARCHIVE_MAGIC, ArchiveError, decodeFrame, type Frame, MAX_FRAME_BYTES } from "./format.js";

/** A frame read from an archive, with its encoded bytes and the byte offset just after it. */
export interface ReadFrame {
  frame: Frame;
  encoded: Uint8Array;
  end: number;
}

/**
 * Splits an archive's bytes, arriving in chunks of any size, into frames (`u32be length ‖ cbor(frame)`). From
 * offset 0 it first checks the magic; `start` > 0 resumes at a frame boundary (a checkpoint's offset). Checks
 * framing only: the hash chain is FrameChain's. Throws ArchiveError.
 */
export async function* readFrames(
  chunks: AsyncIterable<Uint8Array>,
  start = 0,
  firstSeq = 0,
): AsyncGenerator<ReadFrame> {
  let buf: Uint8Array = new Uint8Array(0);
  let offset = start;
  let index = firstSeq;
  let needMagic = start === 0;
  const take = (n: number): Uint8Array => {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    offset += n;
    return out;
  };
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? new Uint8Array(chunk) : concat(buf, chunk);
    if (needMagic) {
      if (buf.length < ARCHIVE_MAGIC.length) continue;
      if (!ARCHIVE_MAGIC.every((b, i) => buf[i] === b))
        throw new ArchiveError("BAD_MAGIC", -1, "not a Coken archive");
      take(ARCHIVE_MAGIC.length);
      needMagic = false;
    }
    while (buf.length >= 4) {
      const length = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0);
      if (length > MAX_FRAME_BYTES) throw new ArchiveError("FRAME_TOO_LARGE", index, `${length} bytes`);
      if (buf.length < 4 + length) break;
      take(4);
      const encoded = new Uint8Array(take(length));
      yield { frame: decodeFrame(encoded, index), encoded, end: offset };
      index++;
    }
  }
  if (needMagic) throw new ArchiveError("BAD_MAGIC", -1, "not a Coken archive");
  if (buf.length > 0) throw new ArchiveError("TRUNCATED", index, "the archive ends inside a frame");
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
