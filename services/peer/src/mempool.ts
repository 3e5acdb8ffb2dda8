import { createHash } from "node:crypto";
import {
  type ApplyResult,
  applyTx,
  applyTxBytes,
  type BlockContext,
  type CommittedBlock,
  type Ledger,
  type SignedTx,
  StateOverlay,
  type TxErrorCode,
  type TxKind,
  toHex,
  type Verifier,
} from "@coken/ledger";

export interface MempoolLimits {
  /** Most txs held at once. */
  maxTxs: number;
  /** Most bytes held at once. */
  maxBytes: number;
  /** Most pending txs from one sender (a rate bound: a sender cannot crowd others out). */
  maxPerSender: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  maxTxs: 20_000,
  // Raw bytes; each pending tx is also kept decoded, which for access.record batches costs about four times its
  // raw size in heap. 64 MiB is a score of full blocks of backlog and keeps a validator's memory bounded.
  maxBytes: 64 << 20,
  maxPerSender: 2_000,
};

/** Why a tx was not (or is no longer) pending: a limit, a duplicate, the ledger's refusal, or a commit that made it invalid. */
export type MempoolRejectReason = "DUPLICATE" | "FULL" | "SENDER_LIMIT" | "INVALIDATED" | TxErrorCode;

export type AddResult = { ok: true; id: string } | { ok: false; reason: MempoolRejectReason };

interface PendingTx {
  id: string;
  raw: Uint8Array;
  /** The decoded tx, kept so re-checks after a commit and proposals holding it skip decoding. */
  tx: SignedTx;
  /** SHA-256 of `raw`, hex: how a proposal's txs are matched to pending ones. */
  digest: string;
  sender: string;
  kind: TxKind;
  arrival: number;
}

// Regulator and governance actions go first: a freeze should not wait behind a queue of receipts.
const PRIORITY: Partial<Record<TxKind, number>> = {
  "regulator.freeze": 2,
  "regulator.unfreeze": 2,
  "governance.propose": 1,
  "governance.vote": 1,
};

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
  private arrivals = 0;
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

  private admit(raw: Uint8Array, decoded?: SignedTx, knownDigest?: string): AddResult {
    if (this.pending.length >= this.limits.maxTxs || this.bytes + raw.length > this.limits.maxBytes) {
      return { ok: false, reason: "FULL" };
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
    if (count >= this.limits.maxPerSender) return { ok: false, reason: "SENDER_LIMIT" };
    this.overlay.absorb(result.diff);
    const digest = knownDigest ?? digestOf(raw);
    this.byDigest.set(digest, result.tx);
    this.pending.push({
      id: id as string,
      raw,
      tx: result.tx,
      digest,
      sender,
      kind: result.tx.body.kind,
      arrival: this.arrivals++,
    });
    this.ids.add(id as string);
    this.perSender.set(sender, count + 1);
    this.bytes += raw.length;
    return { ok: true, id: id as string };
  }

  /**
   * Txs for the next block, within the limits, priority classes first, keeping each sender's own order (its
   * sequence numbers) intact.
   */
  reap(maxBytes: number, maxTxs: number): Uint8Array[] {
    const order = [...this.pending].sort(
      (a, b) => (PRIORITY[b.kind] ?? 0) - (PRIORITY[a.kind] ?? 0) || a.arrival - b.arrival,
    );
    // Put each sender's txs back in arrival order on the slots the sort gave that sender.
    const bySender = new Map<string, PendingTx[]>();
    for (const tx of this.pending) {
      const list = bySender.get(tx.sender);
      if (list === undefined) bySender.set(tx.sender, [tx]);
      else list.push(tx);
    }
    const next = new Map<string, number>();
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const slot of order) {
      const i = next.get(slot.sender) ?? 0;
      next.set(slot.sender, i + 1);
      const tx = (bySender.get(slot.sender) as PendingTx[])[i] as PendingTx;
      if (out.length >= maxTxs || bytes + tx.raw.length > maxBytes) break;
      out.push(tx.raw);
      bytes += tx.raw.length;
    }
    return out;
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
    for (const tx of remaining) if (!this.admit(tx.raw, tx.tx, tx.digest).ok) this.count("INVALIDATED");
  }
}
