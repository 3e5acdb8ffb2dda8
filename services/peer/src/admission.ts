/**
 * The mempool's admission policy by capacity: what a pool of bounded size does with a tx before it spends a
 * checkTx on it, and which refusals a submitter should retry. Pure.
 */

export interface MempoolLimits {
  /** Most txs held at once. */
  maxTxs: number;
  /** Most raw bytes held at once. */
  maxBytes: number;
  /** Most pending txs from one sender (a rate bound: a sender cannot crowd others out). */
  maxPerSender: number;
  /** The largest tx a block can hold (the block's byte bound); a larger one could never leave the pool. */
  maxTxBytes?: number;
  /**
   * Most proposals' worth of bytes held at once, by the current proposal budget (`capacityBytes` below): each
   * commit executes every pending tx again, so a backlog of many blocks costs many blocks' execution per block and
   * the more a cluster is offered the less it commits. 0: `maxBytes` only.
   */
  maxBacklogBlocks?: number;
  /**
   * Raw bytes, counted from the oldest pending tx, whose decoded form is kept (for re-checks after a commit and
   * for executing a proposal without decoding); txs past it keep only their bytes, about a quarter of the memory.
   */
  maxDecodedBytes?: number;
}

export const DEFAULT_MEMPOOL_LIMITS = {
  maxTxs: 20_000,
  // Raw bytes. Past a few blocks of backlog a bigger pool only adds latency and re-check work after every commit
  // (each pending tx is executed again), so a submitter is told to retry instead (FULL).
  maxBytes: 16 << 20,
  maxPerSender: 2_000,
  maxBacklogBlocks: 2,
} as const satisfies MempoolLimits;

/** What the pool holds now. */
export interface PoolUsage {
  txs: number;
  bytes: number;
}

/** Refusals for the pool's capacity, not for the tx: the same bytes may be admitted later. */
export type CapacityRefusal = "FULL" | "SENDER_LIMIT";

/** A tx the pool can never hold, whatever it holds: larger than a block. */
export type SizeRefusal = "OVER_BLOCK_LIMIT";

const RETRYABLE: ReadonlySet<string> = new Set<CapacityRefusal>(["FULL", "SENDER_LIMIT"]);

/**
 * Whether a tx of `txBytes` may be checked at all: refused for its size when no block can hold it, for the pool's
 * capacity when taking it would pass the count or byte bound, or the backlog bound (`maxBacklogBlocks` × the
 * proposal budget `proposalBytes`); null when it may be checked. An empty pool takes any tx a block can hold, so a
 * small budget cannot shut a large tx out for good. Checked before checkTx, so a full pool costs a refused
 * submitter nothing but this comparison.
 */
export function admissionRefusal(
  usage: PoolUsage,
  txBytes: number,
  limits: MempoolLimits,
  proposalBytes: number = Number.POSITIVE_INFINITY,
): CapacityRefusal | SizeRefusal | null {
  if (txBytes > (limits.maxTxBytes ?? Number.POSITIVE_INFINITY)) return "OVER_BLOCK_LIMIT";
  if (usage.txs >= limits.maxTxs || usage.bytes + txBytes > limits.maxBytes) return "FULL";
  const blocks = limits.maxBacklogBlocks ?? 0;
  if (blocks > 0 && usage.txs > 0 && usage.bytes + txBytes > blocks * proposalBytes) return "FULL";
  return null;
}

/** Whether a sender holding `pending` txs may add one more. */
export function senderRefusal(pending: number, limits: MempoolLimits): CapacityRefusal | null {
  return pending >= limits.maxPerSender ? "SENDER_LIMIT" : null;
}

/** Whether a refusal is for capacity (retry the same tx later) rather than for the tx itself (do not). */
export function isRetryable(reason: string): boolean {
  return RETRYABLE.has(reason);
}

/** Whether a tx admitted behind `bytesAhead` raw bytes of older pending txs keeps its decoded form. */
export function keepsDecoded(bytesAhead: number, txBytes: number, limits: MempoolLimits): boolean {
  return bytesAhead + txBytes <= (limits.maxDecodedBytes ?? Number.POSITIVE_INFINITY);
}
