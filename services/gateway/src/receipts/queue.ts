import {
  type AccessReceipt,
  type AgencyId,
  batchHash,
  encodeTx,
  type Hasher,
  keys,
  receiptBatchRoot,
  receiptId,
  type Signer,
  signTx,
  type TxBody,
  toHex,
  txId,
  type Verifier,
} from "@coken/ledger";
import type { GatewayRepository, StoredReceiptBatch } from "@coken/store";
import type { LedgerReader } from "../provider/ledger-reader.js";
import { decodeReceipt } from "./codec.js";
import type { CosignOutcome } from "./cosigner.js";
import type { ReceiptIssuer } from "./issuer.js";

export type SubmitResult = { ok: true; id: string } | { ok: false; reason: string };

export interface ReceiptQueueComponents {
  self: AgencyId;
  chainId: string;
  signer: Signer;
  hasher: Hasher;
  verifier: Verifier;
  ledger: LedgerReader;
  repo: GatewayRepository;
  issuer: ReceiptIssuer;
  /** Asks the requester (over its `/peer/graphql`) to co-sign a batch. */
  cosign(requester: AgencyId, receipts: AccessReceipt[]): Promise<CosignOutcome>;
  /** Hands a signed tx to the peer's mempool (which gossips it). */
  submitTx(raw: Uint8Array): SubmitResult | Promise<SubmitResult>;
  /** The outcome of a committed tx by id, or null while it is not in a block. */
  txResult(id: Uint8Array): Promise<{ height: number; code: string | null } | null>;
  now(): number;
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface ReceiptQueueOptions {
  /** Receipts per batch (size bound). */
  maxBatch: number;
  /** A requester's receipts wait at most this long for a batch (time bound). */
  maxWaitMs: number;
  /** How often the queue works. */
  intervalMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A submitted tx not seen in a block after this long is sent again. */
  resubmitAfterMs: number;
}

export const DEFAULT_RECEIPT_QUEUE_OPTIONS: ReceiptQueueOptions = {
  maxBatch: 1000,
  maxWaitMs: 2000,
  intervalMs: 500,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  resubmitAfterMs: 15_000,
};

// Refusals no retry can cure: the batch stays in the store as `rejected` for the operator.
const PERMANENT = new Set([
  "RECEIPT_TIME",
  "RECEIPT_MISMATCH",
  "BAD_RECEIPT_SIGNATURE",
  "UNKNOWN_GRANT",
  "UNKNOWN_AGENCY",
  "GRANT_INACTIVE",
  "QUOTA_EXCEEDED",
  "TOO_MANY_RECEIPTS",
  "MALFORMED_TX",
  "TX_TOO_LARGE",
]);
const SEQ_PROBES = 32;

/**
 * Provider side: carries every issued receipt to the ledger. Receipts wait per requester until a batch is full
 * or old enough; the requester co-signs the batch root; the provider adds its signature and submits an
 * `access.record` tx; the tx is watched until committed, and sent again (new seq) if it never lands. Each
 * state change is written to the store first, so a crash or an unreachable requester delays receipts but never
 * loses one.
 */
export class ReceiptQueue {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly c: ReceiptQueueComponents,
    private readonly options: ReceiptQueueOptions = DEFAULT_RECEIPT_QUEUE_OPTIONS,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the queue (passes never overlap); failures are logged and retried on a later pass. */
  flush(): Promise<void> {
    this.running ??= this.pass()
      .catch((e: unknown) => this.c.log?.warn("receipt queue pass failed", { error: String(e) }))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.formBatches();
    for (const b of await this.c.repo.dueBatches("cosigning", this.c.now(), 100)) await this.cosign(b);
    for (const b of await this.c.repo.dueBatches("submitted", Number.MAX_SAFE_INTEGER, 100))
      await this.confirm(b);
    for (const b of await this.c.repo.dueBatches("cosigned", this.c.now(), 100)) await this.submit(b);
  }

  private async formBatches(): Promise<void> {
    for (const requester of await this.c.repo.pendingRequesters()) {
      const rows = await this.c.repo.pendingReceipts(requester, Math.min(this.options.maxBatch, 1000));
      const receipts = rows.map((r) => decodeReceipt(r.receipt));
      const oldest = receipts[0];
      if (oldest === undefined) continue;
      if (receipts.length < this.options.maxBatch && this.c.now() - oldest.time < this.options.maxWaitMs)
        continue;
      const id = batchHash(
        this.c.hasher,
        this.c.self,
        requester,
        receiptBatchRoot(this.c.hasher, receipts),
        receipts.length,
      );
      const now = this.c.now();
      await this.c.repo.createBatch(
        { id, requester, createdMs: now, nextAttemptMs: now },
        rows.map((r) => r.id),
      );
    }
  }

  private async receiptsOf(batch: StoredReceiptBatch): Promise<AccessReceipt[]> {
    return (await this.c.repo.batchReceipts(batch.id)).map(decodeReceipt);
  }

  private async retryLater(
    batch: StoredReceiptBatch,
    patch: Parameters<GatewayRepository["updateBatch"]>[1] = {},
  ) {
    const delay = Math.min(
      this.options.retryMaxMs,
      this.options.retryBaseMs * 2 ** Math.min(batch.attempts, 16),
    );
    await this.c.repo.updateBatch(batch.id, {
      ...patch,
      attempts: batch.attempts + 1,
      nextAttemptMs: this.c.now() + delay,
    });
  }

  private releaseQuota(receipts: readonly AccessReceipt[]): void {
    for (const r of receipts) this.c.issuer.release(r.grant);
  }

  private async cosign(batch: StoredReceiptBatch): Promise<void> {
    const receipts = await this.receiptsOf(batch);
    let outcome: CosignOutcome;
    try {
      outcome = await this.c.cosign(batch.requester, receipts);
    } catch (e) {
      this.c.log?.warn("co-signing failed", { requester: batch.requester, error: String(e) });
      return this.retryLater(batch);
    }
    if ("rejected" in outcome) {
      const disputed = new Set(outcome.rejected.map(toHex));
      const ids = receipts.map((r) => toHex(receiptId(this.c.hasher, r)));
      const named = outcome.rejected.filter((id) => ids.includes(toHex(id)));
      if (named.length === 0) return this.retryLater(batch);
      this.c.log?.warn("requester refused receipts", { requester: batch.requester, count: named.length });
      await this.c.repo.dissolveBatch(batch.id, named);
      this.releaseQuota(receipts.filter((_, i) => disputed.has(ids[i] as string)));
      return;
    }
    const requester = this.c.ledger.get(keys.agency(batch.requester));
    if (
      requester === undefined ||
      !this.c.verifier.verify(requester.keyScheme, requester.publicKey, batch.id, outcome.signature)
    ) {
      this.c.log?.warn("bad co-signature", { requester: batch.requester });
      return this.retryLater(batch);
    }
    await this.c.repo.updateBatch(batch.id, {
      status: "cosigned",
      requesterSig: outcome.signature,
      providerSig: this.c.signer.sign(batch.id),
      attempts: 0,
      nextAttemptMs: this.c.now(),
    });
  }

  private async submit(batch: StoredReceiptBatch): Promise<void> {
    if (batch.requesterSig === null || batch.providerSig === null) return;
    const receipts = await this.receiptsOf(batch);
    const account = this.c.ledger.get(keys.account(this.c.self));
    if (account === undefined) return this.retryLater(batch);
    for (let probe = 0; probe < SEQ_PROBES; probe++) {
      const body = {
        chain: this.c.chainId,
        kind: "access.record",
        sender: this.c.self,
        seq: account.seq + probe,
        payload: {
          batches: [
            {
              requester: batch.requester,
              receipts,
              requesterSig: batch.requesterSig,
              providerSig: batch.providerSig,
            },
          ],
        },
      } as TxBody<"access.record">;
      const id = txId(this.c.hasher, body);
      const result = await this.c.submitTx(encodeTx(signTx(this.c.hasher, this.c.signer, body)));
      if (result.ok || result.reason === "DUPLICATE") {
        await this.c.repo.updateBatch(batch.id, {
          status: "submitted",
          txHash: id,
          nextAttemptMs: this.c.now() + this.options.resubmitAfterMs,
        });
        return;
      }
      if (result.reason === "BAD_SEQUENCE") continue;
      if (PERMANENT.has(result.reason)) {
        this.c.log?.warn("receipt batch refused", { requester: batch.requester, code: result.reason });
        await this.c.repo.updateBatch(batch.id, { status: "rejected" });
        this.releaseQuota(receipts);
        return;
      }
      return this.retryLater(batch);
    }
    return this.retryLater(batch);
  }

  private async confirm(batch: StoredReceiptBatch): Promise<void> {
    if (batch.txHash === null) return;
    const outcome = await this.c.txResult(batch.txHash);
    // Our own earlier tx recorded these receipts (only the provider can): they are on the ledger.
    if (outcome !== null && (outcome.code === null || outcome.code === "DUPLICATE_RECEIPT")) {
      await this.c.repo.commitBatch(batch.id, outcome.height);
      this.releaseQuota(await this.receiptsOf(batch));
      return;
    }
    if (outcome !== null && outcome.code !== null && PERMANENT.has(outcome.code)) {
      this.c.log?.warn("receipt batch refused", { requester: batch.requester, code: outcome.code });
      await this.c.repo.updateBatch(batch.id, { status: "rejected" });
      this.releaseQuota(await this.receiptsOf(batch));
      return;
    }
    if (outcome !== null) return this.retryLater(batch, { status: "cosigned", txHash: null });
    if (this.c.now() >= batch.nextAttemptMs)
      await this.c.repo.updateBatch(batch.id, {
        status: "cosigned",
        txHash: null,
        nextAttemptMs: this.c.now(),
      });
  }
}
