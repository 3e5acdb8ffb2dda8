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
  // Chunks are queued and joined only once a whole frame is there: joining on every chunk would copy a large
  // frame once per chunk.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let offset = start;
  let index = firstSeq;
  let needMagic = start === 0;
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = queue[0] as Uint8Array;
      const part = Math.min(n - filled, head.length);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) queue.shift();
      else queue[0] = head.subarray(part);
    }
    queued -= n;
    offset += n;
    return out;
  };
  const peek = (n: number): Uint8Array => {
    const first = queue[0] as Uint8Array;
    if (first.length >= n) return first.subarray(0, n);
    const out = take(n);
    queue.unshift(out);
    queued += n;
    offset -= n;
    return out;
  };
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    queue.push(chunk);
    queued += chunk.length;
    if (needMagic) {
      if (queued < ARCHIVE_MAGIC.length) continue;
      const magic = take(ARCHIVE_MAGIC.length);
      if (!ARCHIVE_MAGIC.every((b, i) => magic[i] === b))
        throw new ArchiveError("BAD_MAGIC", -1, "not a Coken archive");
      needMagic = false;
    }
    while (queued >= 4) {
      const prefix = peek(4);
      const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
      if (length > MAX_FRAME_BYTES) throw new ArchiveError("FRAME_TOO_LARGE", index, `${length} bytes`);
      if (queued < 4 + length) break;
      take(4);
      const encoded = take(length);
      yield { frame: decodeFrame(encoded, index), encoded, end: offset };
      index++;
    }
  }
  if (needMagic) throw new ArchiveError("BAD_MAGIC", -1, "not a Coken archive");
  if (queued > 0) throw new ArchiveError("TRUNCATED", index, "the archive ends inside a frame");
}
