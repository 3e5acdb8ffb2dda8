import {
  type AccessReceipt,
  type AgencyId,
  batchHash,
  encodeTx,
  type Hasher,
  keys,
  type RequestSignature,
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
import { decodeIssued, type IssuedRecord } from "./codec.js";
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
  /**
   * How long a batch waits for its requester's co-signature before the provider records it alone
   * (`access.attest`, backed by the requester's request signatures). A refusal to co-sign records it at once.
   */
  ackWaitMs: number;
}

export const DEFAULT_RECEIPT_QUEUE_OPTIONS: ReceiptQueueOptions = {
  maxBatch: 1000,
  maxWaitMs: 2000,
  intervalMs: 500,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  resubmitAfterMs: 15_000,
  ackWaitMs: 30_000,
};

// Refusals no retry can cure: the batch stays in the store as `rejected` for the operator.
const PERMANENT = new Set([
  "RECEIPT_TIME",
  "RECEIPT_MISMATCH",
  "BAD_RECEIPT_SIGNATURE",
  "BAD_REQUEST_PROOF",
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
 * or old enough; the requester is asked to co-sign the batch root. Co-signed, the provider adds its signature and
 * submits `access.record`. Refused, or not co-signed within `ackWaitMs`, the provider records the batch alone with
 * `access.attest`, each receipt backed by the requester's own request signature: whether an answered call reaches
 * the ledger never depends on the requester. The tx is watched until committed, and sent again (new seq) if it
 * never lands. Each state change is written to the store first, so a crash or an unreachable requester delays
 * receipts but never loses one; an answered call's quota slot is held until its receipt is on the ledger.
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
      const receipts = rows.map((r) => decodeIssued(r.receipt).receipt);
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

  private async recordsOf(batch: StoredReceiptBatch): Promise<IssuedRecord[]> {
    return (await this.c.repo.batchReceipts(batch.id)).map(decodeIssued);
  }

  private async receiptsOf(batch: StoredReceiptBatch): Promise<AccessReceipt[]> {
    return (await this.recordsOf(batch)).map((r) => r.receipt);
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

  /** Marks a batch to be recorded on the provider's word (`access.attest`): signed by the provider only. */
  private async attest(batchId: Uint8Array): Promise<void> {
    await this.c.repo.updateBatch(batchId, {
      status: "cosigned",
      requesterSig: null,
      providerSig: this.c.signer.sign(batchId),
      attempts: 0,
      nextAttemptMs: this.c.now(),
    });
  }

  /** Waits for a co-signature until `ackWaitMs` after the batch formed, then records the batch alone. */
  private async unacknowledged(batch: StoredReceiptBatch, records: IssuedRecord[]): Promise<void> {
    if (
      this.c.now() - batch.createdMs >= this.options.ackWaitMs &&
      records.every((r) => r.request !== null)
    ) {
      this.c.log?.warn("no co-signature: recording receipts alone", {
        requester: batch.requester,
        count: records.length,
      });
      return this.attest(batch.id);
    }
    return this.retryLater(batch);
  }

  private async cosign(batch: StoredReceiptBatch): Promise<void> {
    const records = await this.recordsOf(batch);
    const receipts = records.map((r) => r.receipt);
    let outcome: CosignOutcome;
    try {
      outcome = await this.c.cosign(batch.requester, receipts);
    } catch (e) {
      this.c.log?.warn("co-signing failed", { requester: batch.requester, error: String(e) });
      return this.unacknowledged(batch, records);
    }
    if ("rejected" in outcome) {
      const ids = receipts.map((r) => toHex(receiptId(this.c.hasher, r)));
      const refused = new Set(outcome.rejected.map(toHex).filter((id) => ids.includes(id)));
      if (refused.size === 0) return this.unacknowledged(batch, records);
      this.c.log?.warn("requester refused to co-sign receipts: recording them alone", {
        requester: batch.requester,
        count: refused.size,
      });
      // Receipts kept from before request evidence was stored cannot be recorded alone: set aside as disputed.
      const legacy = records.filter((r, i) => r.request === null && refused.has(ids[i] as string));
      const named = receipts.filter((_, i) => refused.has(ids[i] as string));
      await this.c.repo.dissolveBatch(
        batch.id,
        legacy.map((r) => receiptId(this.c.hasher, r.receipt)),
      );
      for (const r of legacy) this.c.issuer.release(r.receipt.grant);
      const alone = named.filter((r) => !legacy.some((l) => l.receipt === r));
      if (alone.length === 0) return;
      const id = batchHash(
        this.c.hasher,
        this.c.self,
        batch.requester,
        receiptBatchRoot(this.c.hasher, alone),
        alone.length,
      );
      const now = this.c.now();
      await this.c.repo.createBatch(
        { id, requester: batch.requester, createdMs: now, nextAttemptMs: now },
        alone.map((r) => receiptId(this.c.hasher, r)),
      );
      return this.attest(id);
    }
    const requester = this.c.ledger.get(keys.agency(batch.requester));
    if (
      requester === undefined ||
      !this.c.verifier.verify(requester.keyScheme, requester.publicKey, batch.id, outcome.signature)
    ) {
      this.c.log?.warn("bad co-signature", { requester: batch.requester });
      return this.unacknowledged(batch, records);
    }
    await this.c.repo.updateBatch(batch.id, {
      status: "cosigned",
      requesterSig: outcome.signature,
      providerSig: this.c.signer.sign(batch.id),
      attempts: 0,
      nextAttemptMs: this.c.now(),
    });
  }

  /** The payload recording a batch: co-signed (`access.record`) or on the provider's word (`access.attest`). */
  private async recording(
    batch: StoredReceiptBatch,
    providerSig: Uint8Array,
  ): Promise<
    TxBody<"access.record" | "access.attest">["payload"] & { kind: "access.record" | "access.attest" }
  > {
    const records = await this.recordsOf(batch);
    const receipts = records.map((r) => r.receipt);
    if (batch.requesterSig !== null)
      return {
        kind: "access.record",
        batches: [{ requester: batch.requester, receipts, requesterSig: batch.requesterSig, providerSig }],
      };
    const signatures: RequestSignature[] = [];
    const index = new Map<string, number>();
    const requests = records.map(({ request }) => {
      if (request === null) throw new Error("a receipt without request evidence cannot be recorded alone");
      const key = toHex(request.signature);
      let at = index.get(key);
      if (at === undefined) {
        at = signatures.push({ batch: request.batch, signature: request.signature }) - 1;
        index.set(key, at);
      }
      const { queryHash, variablesHash, expiresAt } = request;
      return { queryHash, variablesHash, expiresAt, signature: at };
    });
    return {
      kind: "access.attest",
      batches: [{ requester: batch.requester, receipts, requests, signatures, providerSig }],
    };
  }

  private async submit(batch: StoredReceiptBatch): Promise<void> {
    if (batch.providerSig === null) return;
    const { kind, ...payload } = await this.recording(batch, batch.providerSig);
    const account = this.c.ledger.get(keys.account(this.c.self));
    if (account === undefined) return this.retryLater(batch);
    for (let probe = 0; probe < SEQ_PROBES; probe++) {
      const body = {
        chain: this.c.chainId,
        kind,
        sender: this.c.self,
        seq: account.seq + probe,
        payload,
      } as TxBody<"access.record" | "access.attest">;
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
