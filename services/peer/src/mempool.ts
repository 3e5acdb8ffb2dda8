import { createHash } from "node:crypto";
import {
  type ApplyResult,
  applyTx,
  applyTxBytes,
  type Block,
  type BlockContext,
  type BlockProposal,
  type CommittedBlock,
  type Ledger,
  type SignedTx,
  StateOverlay,
  type TxErrorCode,
  type TxKind,
  toHex,
  type Verifier,
} from "@coken/ledger";
import {
  admissionRefusal,
  type CapacityRefusal,
  DEFAULT_MEMPOOL_LIMITS,
  keepsDecoded,
  type MempoolLimits,
  type SizeRefusal,
  senderRefusal,
} from "./admission.js";
import { proposalOrder } from "./proposal-order.js";

export type { MempoolLimits } from "./admission.js";
export { DEFAULT_MEMPOOL_LIMITS, isRetryable } from "./admission.js";

/**
 * Why a tx was not (or is no longer) pending: a limit, a duplicate, the ledger's refusal, a commit that made it
 * invalid, or too many proposals that had to leave it out.
 */
export type MempoolRejectReason =
  | "DUPLICATE"
  | CapacityRefusal
  | SizeRefusal
  | "INVALIDATED"
  | "DEFERRED"
  | TxErrorCode;

/**
 * Proposals of this node that may leave a tx out although it was tried where it arrived, before it is dropped: such a
 * tx passed checkTx but fails in a block, and must not cost an execution in every block.
 */
export const MAX_DEFERRALS = 3;

export type AddResult = { ok: true; id: string } | { ok: false; reason: MempoolRejectReason };

interface PendingTx {
  id: string;
  raw: Uint8Array;
  /**
   * The decoded tx, kept so re-checks after a commit and proposals holding it skip decoding; null past the pool's
   * decoded budget (`maxDecodedBytes`), where only the bytes are kept.
   */
  tx: SignedTx | null;
  /** SHA-256 of `raw`, hex: how a proposal's txs are matched to pending ones. */
  digest: string;
  sender: string;
  kind: TxKind;
  /** This node's proposals that tried it at its arrival position and had to leave it out. */
  deferrals: number;
}

function digestOf(raw: Uint8Array): string {
  return createHash("sha256").update(raw).digest("hex");
}

/**
 * Txs waiting for a block. Each is checked (`checkTx`) against the committed state plus the txs ahead of it, so a
 * sender may queue consecutive sequence numbers; refused txs are dropped with their reason counted.
 */
export class Mempool {
  private pending: PendingTx[] = [];
  private readonly ids = new Set<string>();
  private readonly byDigest = new Map<string, SignedTx>();
  private readonly perSender = new Map<string, number>();
  private overlay: StateOverlay;
  private bytes = 0;
  // The bytes of the next proposal (the driver's budget by execution time), for the backlog bound.
  private proposalBytes: () => number = () => Number.POSITIVE_INFINITY;
  readonly rejected = new Map<MempoolRejectReason, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly verifier: Verifier,
    private readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.overlay = new StateOverlay(ledger.state);
  }

  get size(): number {
    return this.pending.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  private context(): BlockContext {
    const head = this.ledger.head;
    return {
      chain: head.chain,
      height: head.height + 1,
      time: Math.max(head.time + 1, this.now()),
      hasher: this.ledger.hasher,
      verifier: this.verifier,
    };
  }

  private count(reason: MempoolRejectReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** Bounds the backlog by the proposal budget `bytes()` (see `MempoolLimits.maxBacklogBlocks`). */
  boundBacklogBy(bytes: () => number): void {
    this.proposalBytes = bytes;
  }

  /** checkTx: admits a tx that would apply on top of everything already pending. */
  add(raw: Uint8Array): AddResult {
    const result = this.admit(raw);
    if (!result.ok) this.count(result.reason);
    return result;
  }

  /** The decoded form of a pending tx with exactly these bytes (for executing a proposal without decoding). */
  knownTx(raw: Uint8Array): SignedTx | undefined {
    return this.byDigest.size === 0 ? undefined : this.byDigest.get(digestOf(raw));
  }

  /** Admits a new tx, or (`recheck`) one that was pending before a commit: that one is not held to the capacity. */
  private admit(
    raw: Uint8Array,
    decoded?: SignedTx,
    knownDigest?: string,
    deferrals = 0,
    recheck = false,
  ): AddResult {
    if (!recheck) {
      const usage = { txs: this.pending.length, bytes: this.bytes };
      const refusal = admissionRefusal(usage, raw.length, this.limits, this.proposalBytes());
      if (refusal !== null) return { ok: false, reason: refusal };
    }
    const result: ApplyResult =
      decoded === undefined
        ? applyTxBytes(this.overlay, raw, this.context())
        : applyTx(this.overlay, decoded, this.context());
    const id = result.id === null ? null : toHex(result.id);
    if (id !== null && this.ids.has(id)) return { ok: false, reason: "DUPLICATE" };
    if (!result.ok) return { ok: false, reason: result.error.code };
    const sender = result.tx.body.sender;
    const count = this.perSender.get(sender) ?? 0;
    const limited = senderRefusal(count, this.limits);
    if (limited !== null) return { ok: false, reason: limited };
    this.overlay.absorb(result.diff);
    const digest = knownDigest ?? digestOf(raw);
    const tx = keepsDecoded(this.bytes, raw.length, this.limits) ? result.tx : null;
    if (tx !== null) this.byDigest.set(digest, tx);
    this.pending.push({ id: id as string, raw, tx, digest, sender, kind: result.tx.body.kind, deferrals });
    this.ids.add(id as string);
    this.perSender.set(sender, count + 1);
    this.bytes += raw.length;
    return { ok: true, id: id as string };
  }

  /**
   * Pending txs in the order a proposal tries them (`proposalOrder`), each once, within the limits: what the next
   * block holds if every tx applies where it is tried first.
   */
  reap(maxBytes: number, maxTxs: number): Uint8Array[] {
    const seen = new Set<PendingTx>();
    const out: Uint8Array[] = [];
    for (const { tx } of proposalOrder(this.pending, maxBytes, maxTxs)) {
      if (seen.has(tx)) continue;
      seen.add(tx);
      out.push(tx.raw);
    }
    return out;
  }

  /**
   * Builds the next block: `build` executes the pending txs in `proposalOrder` and leaves out each one refused where
   * it is tried (`Ledger.proposeBlock`), so no tx in the block fails for the order it was put in. A tx left out
   * stays pending (a sender's later txs then wait too: their sequence numbers no longer fit); one left out at its
   * arrival position by `MAX_DEFERRALS` proposals is dropped at the next commit. `maxBytes` may be below the
   * block's bound (a budget by execution time); a block then still tries the first tx in order, which the pool
   * admitted only if a block can hold it, so a tx larger than the budget cannot hold up the ones behind it.
   */
  propose(maxBytes: number, maxTxs: number, build: (candidates: Uint8Array[]) => BlockProposal): Block {
    let order = proposalOrder(this.pending, maxBytes, maxTxs);
    if (order.length === 0 && this.pending.length > 0 && maxTxs > 0)
      order = proposalOrder(this.pending, Number.POSITIVE_INFINITY, 1);
    const proposal = build(order.map((c) => c.tx.raw));
    const applied = new Set<PendingTx>();
    const deferred = new Set<PendingTx>();
    for (const [i, c] of order.entries()) {
      if (proposal.tried[i]?.code === null) applied.add(c.tx);
      else if (c.atArrival) deferred.add(c.tx);
    }
    for (const tx of deferred) if (!applied.has(tx)) tx.deferrals++;
    return proposal.block;
  }

  /** After a commit: drops included txs and re-checks the rest against the new state. */
  update(committed: CommittedBlock): void {
    const included = new Set(committed.outcome.txs.flatMap((t) => (t.id ? [toHex(t.id)] : [])));
    const remaining = this.pending.filter((t) => !included.has(t.id));
    this.pending = [];
    this.ids.clear();
    this.byDigest.clear();
    this.perSender.clear();
    this.bytes = 0;
    this.overlay = new StateOverlay(this.ledger.state);
    for (const tx of remaining) {
      if (tx.deferrals >= MAX_DEFERRALS) this.count("DEFERRED");
      else if (!this.admit(tx.raw, tx.tx ?? undefined, tx.digest, tx.deferrals, true).ok)
        this.count("INVALIDATED");
    }
  }
}
