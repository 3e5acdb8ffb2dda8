/**
 * Proposal sizing by measured execution time: how long this node takes to execute a block's txs, learned from the
 * blocks it executes, and the byte budget that keeps a proposal's execution within a target. A proposal must be
 * built, sent and executed by every validator before their propose timeout; a block that takes longer makes
 * them prevote nil and the round's work is lost, which under load is how a cluster commits less the more it is
 * offered.
 */

/** Moving averages of the execution time (ms) and the tx bytes of recent blocks; their ratio is ms per byte. */
export interface ExecutionRate {
  ms: number;
  bytes: number;
}

/** One block's execution: its txs' bytes and how long executing it took. */
export interface ExecutionSample {
  bytes: number;
  ms: number;
}

/** Blocks with fewer tx bytes say little about the cost per byte: their time is mostly the block's fixed part. */
export const MIN_SAMPLE_BYTES = 16 << 10;

/** Weight of the newest sample in the moving averages (about the last ten blocks count). */
export const SMOOTHING = 0.2;

/**
 * The rate after one more sample. The averages of time and bytes are kept apart, so a sample counts in the ratio
 * by its size; samples below MIN_SAMPLE_BYTES (or with no usable time) leave the rate as it was.
 */
export function observeExecution(rate: ExecutionRate | null, sample: ExecutionSample): ExecutionRate | null {
  if (sample.bytes < MIN_SAMPLE_BYTES || !Number.isFinite(sample.ms) || sample.ms < 0) return rate;
  if (rate === null) return { ms: sample.ms, bytes: sample.bytes };
  return {
    ms: rate.ms + SMOOTHING * (sample.ms - rate.ms),
    bytes: rate.bytes + SMOOTHING * (sample.bytes - rate.bytes),
  };
}

/**
 * The most tx bytes a proposal should carry to execute in `targetMs` at `rate`, at most `maxBytes` (the block
 * bound). Without a rate yet, or with a rate of no measurable time, the block bound. The mempool still lets a
 * proposal take its first tx when that alone passes the budget, so a slow node proposes small blocks, not empty
 * ones.
 */
export function blockByteBudget(rate: ExecutionRate | null, targetMs: number, maxBytes: number): number {
  if (rate === null || rate.ms <= 0) return maxBytes;
  return Math.max(0, Math.min(maxBytes, Math.floor((targetMs * rate.bytes) / rate.ms)));
}

/** The execution target of a proposal: `percent` of the round-0 propose timeout; 0 turns sizing off. */
export function executionTargetMs(timeoutProposeMs: number, percent: number): number | null {
  return percent > 0 ? (timeoutProposeMs * percent) / 100 : null;
}

/** Total bytes of a block's txs. */
export function txBytes(txs: readonly Uint8Array[]): number {
  let n = 0;
  for (const t of txs) n += t.length;
  return n;
}

/**
 * A node's rate, fed by timing the blocks it executes (`clock` is monotonic, in ms), and the budget it gives
 * proposals. With no target every budget is the block bound.
 */
export class BlockSizer {
  private rate: ExecutionRate | null = null;

  constructor(
    private readonly targetMs: number | null,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Runs `execute`, a block whose txs are `txs`, and learns from how long it took (also when it throws). */
  time<T>(txs: readonly Uint8Array[], execute: () => T): T {
    if (this.targetMs === null) return execute();
    const t0 = this.clock();
    try {
      return execute();
    } finally {
      this.rate = observeExecution(this.rate, { bytes: txBytes(txs), ms: this.clock() - t0 });
    }
  }

  /** The byte budget of the next proposal, within `maxBytes`. */
  budget(maxBytes: number): number {
    return this.targetMs === null ? maxBytes : blockByteBudget(this.rate, this.targetMs, maxBytes);
  }

  /** The current estimate, ms per byte (null until a block large enough was timed). */
  get msPerByte(): number | null {
    return this.rate === null || this.rate.bytes === 0 ? null : this.rate.ms / this.rate.bytes;
  }
}
