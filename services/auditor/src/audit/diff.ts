import { bytesEqual, createHasher, parseGenesis, toHex } from "@coken/ledger";
import { decodeBlockBody, decodeProofBody } from "../archive/bodies.js";
import { FrameChain } from "../archive/chain.js";
import { ArchiveError, type Frame } from "../archive/format.js";
import { type ReadFrame, readFrames } from "../archive/reader.js";

/** The first place two archives disagree, or null when one is the other (or a prefix of it). */
export interface Divergence {
  /** Frame number in both archives. */
  frame: number;
  height: number | null;
  /** What differs. */
  what: string;
}

export interface DiffResult {
  divergence: Divergence | null;
  /** Heights each archive reaches (the last block frame read). */
  heights: [number, number];
}

function blockParts(f: Frame): Record<string, Uint8Array | string> {
  const b = decodeBlockBody(f.body, f.seq);
  const parts: Record<string, Uint8Array | string> = {
    appHash: b.appHash,
    results: JSON.stringify(b.results),
    txs: JSON.stringify(b.block.txs.map(toHex)),
    evidence: JSON.stringify(b.block.evidence.map(toHex)),
    lastCommit: JSON.stringify(b.block.lastCommit, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v)),
    header_: JSON.stringify(b.block.header, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v)),
  };
  return parts;
}

function describe(a: Frame, b: Frame): string {
  if (a.kind !== b.kind) return `a ${a.kind} frame against a ${b.kind} frame`;
  if (a.kind === "block") {
    const pa = blockParts(a);
    const pb = blockParts(b);
    for (const part of ["header_", "txs", "evidence", "lastCommit", "appHash", "results"]) {
      const x = pa[part] as Uint8Array | string;
      const y = pb[part] as Uint8Array | string;
      const same = typeof x === "string" ? x === y : bytesEqual(x, y as Uint8Array);
      if (!same) return `block ${part.replace("_", "")} differs`;
    }
  }
  if (a.kind === "proof") {
    const x = decodeProofBody(a.body, a.seq);
    const y = decodeProofBody(b.body, b.seq);
    if (!bytesEqual(x.receipt, y.receipt))
      return `proofs of different receipts (${toHex(x.receipt)} / ${toHex(y.receipt)})`;
    return `the proof of receipt ${toHex(x.receipt)} differs`;
  }
  return `${a.kind} frame differs`;
}

/**
 * Reads two archives side by side, checking each one's own hash chain, and names the first frame where they
 * differ (kind, height, which part of a block). Ending early is not a divergence: the shorter archive is then a
 * prefix of the longer one (an older export); `heights` tells.
 */
export async function diffArchives(
  a: AsyncIterable<Uint8Array>,
  b: AsyncIterable<Uint8Array>,
): Promise<DiffResult> {
  const ia = readFrames(a)[Symbol.asyncIterator]();
  const ib = readFrames(b)[Symbol.asyncIterator]();
  const chains: [FrameChain | null, FrameChain | null] = [null, null];
  const heights: [number, number] = [0, 0];
  const step = async (it: AsyncIterator<ReadFrame>, side: 0 | 1): Promise<Frame | null> => {
    const next = await it.next();
    if (next.done) return null;
    const { frame, encoded } = next.value;
    if (frame.seq === 0 && frame.kind === "genesis") {
      const g = parseGenesis(JSON.parse(new TextDecoder().decode(frame.body)));
      chains[side] = new FrameChain(createHasher(g.hashAlgorithm));
    }
    const chain = chains[side];
    if (chain === null) throw new ArchiveError("OUT_OF_ORDER", frame.seq, "no genesis frame first");
    chain.accept(frame, encoded);
    if (frame.kind === "block") heights[side]++;
    return frame;
  };
  for (;;) {
    const [fa, fb] = await Promise.all([step(ia, 0), step(ib, 1)]);
    if (fa === null || fb === null) return { divergence: null, heights };
    if (fa.kind === fb.kind && bytesEqual(fa.body, fb.body)) continue;
    // A shorter archive stops its blocks where the other goes on: a prefix, not a divergence.
    if ((fa.kind === "block") !== (fb.kind === "block")) {
      while ((await step(fa.kind === "block" ? ia : ib, fa.kind === "block" ? 0 : 1)) !== null);
      return { divergence: null, heights };
    }
    return {
      divergence: { frame: fa.seq, height: fa.kind === "block" ? heights[0] : null, what: describe(fa, fb) },
      heights,
    };
  }
}
