import { bytesEqual, type Hasher } from "@coken/ledger";
import { ArchiveError, FRAME_ORDER, type Frame, frameLink, startLink } from "./format.js";

/**
 * Checks that frames arrive as one hash chain in the archive's order: consecutive numbers, each `prev` the link of
 * the frame before, kinds never going back (docs/spec/archive.md §3). Pure; the auditor and `audit diff` feed it.
 */
export class FrameChain {
  private expectSeq: number;
  private link: Uint8Array;
  private rank: number;

  constructor(
    private readonly h: Hasher,
    resume?: { seq: number; link: Uint8Array; kind: Frame["kind"] },
  ) {
    this.expectSeq = resume?.seq ?? 0;
    this.link = resume?.link ?? startLink(h);
    this.rank = resume ? FRAME_ORDER.indexOf(resume.kind) : 0;
  }

  /** The link of the last frame accepted: after the end frame, the archive's digest. */
  get head(): Uint8Array {
    return this.link;
  }

  get next(): number {
    return this.expectSeq;
  }

  /** Accepts the next frame (with its encoded bytes) or throws ArchiveError. */
  accept(frame: Frame, encoded: Uint8Array): void {
    if (frame.seq !== this.expectSeq)
      throw new ArchiveError("OUT_OF_ORDER", this.expectSeq, `frame numbered ${frame.seq}`);
    if (!bytesEqual(frame.prev, this.link))
      throw new ArchiveError("BROKEN_LINK", frame.seq, "prev is not the link of the frame before");
    const rank = FRAME_ORDER.indexOf(frame.kind);
    if (rank < this.rank || (frame.seq === 0) !== (frame.kind === "genesis"))
      throw new ArchiveError("OUT_OF_ORDER", frame.seq, `a ${frame.kind} frame cannot come here`);
    if (frame.kind === "seen" && this.rank === rank)
      throw new ArchiveError("OUT_OF_ORDER", frame.seq, "a second seen-commit frame");
    this.rank = rank;
    this.link = frameLink(this.h, encoded);
    this.expectSeq++;
  }
}
