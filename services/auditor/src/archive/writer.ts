import { createHasher, type Genesis } from "@coken/ledger";
import {
  ARCHIVE_MAGIC,
  encodeFrame,
  type Frame,
  type FrameKind,
  frameLink,
  lengthPrefix,
  startLink,
} from "./format.js";

/** Where archive bytes go (a file, a buffer in tests). */
export type ArchiveSink = (bytes: Uint8Array) => Promise<void> | void;

/**
 * Writes an archive frame by frame, chaining each to the one before (docs/spec/archive.md). The caller appends in
 * the archive's order, genesis first and the end frame last; `digest` is then the archive's digest.
 */
export class ArchiveWriter {
  private readonly h;
  private link: Uint8Array;
  private seq = 0;

  constructor(
    genesis: Pick<Genesis, "hashAlgorithm">,
    private readonly sink: ArchiveSink,
  ) {
    this.h = createHasher(genesis.hashAlgorithm);
    this.link = startLink(this.h);
  }

  get frames(): number {
    return this.seq;
  }

  get digest(): Uint8Array {
    return this.link;
  }

  async append(kind: FrameKind, body: Uint8Array): Promise<void> {
    const frame: Frame = { seq: this.seq, kind, body, prev: this.link };
    const encoded = encodeFrame(frame);
    if (this.seq === 0) await this.sink(ARCHIVE_MAGIC);
    await this.sink(lengthPrefix(encoded.length));
    await this.sink(encoded);
    this.link = frameLink(this.h, encoded);
    this.seq++;
  }
}
