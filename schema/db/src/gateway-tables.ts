import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { bytea, epochMs, int8 } from "./columns.js";

/**
 * Request nonces an agency's gateway has accepted, kept until the request expires, so a replay is refused even
 * after a restart inside the replay window.
 */
export const gatewayNonces = pgTable(
  "gateway_nonces",
  {
    requester: text("requester").notNull(),
    nonce: bytea("nonce").notNull(),
    expiresMs: epochMs("expires_ms").notNull(),
  },
  (t) => [
    primaryKey({ name: "gateway_nonces_pk", columns: [t.requester, t.nonce] }),
    index("gateway_nonces_expires_idx").on(t.expiresMs),
  ],
);

/**
 * Provider side: access receipts this agency issued, on their way to the ledger. Status moves
 * pending → batched → committed; `disputed` when the requester refused to co-sign it.
 */
export const gatewayIssuedReceipts = pgTable(
  "gateway_issued_receipts",
  {
    id: bytea("id").primaryKey(),
    requester: text("requester").notNull(),
    grantId: text("grant_id").notNull(),
    timeMs: epochMs("time_ms").notNull(),
    /** Canonical CBOR of the receipt (the ledger's AccessReceipt). */
    receipt: bytea("receipt").notNull(),
    status: text("status").notNull(),
    batchId: bytea("batch_id"),
    /** Position inside the batch. */
    position: integer("position"),
    committedHeight: int8("committed_height"),
    /**
     * A proved answer's proof bundle as the canonical JSON text its receipt's `proofHash` covers (null for a
     * lookup), kept for auditors (docs/spec/archive.md §4). Public: it holds no row values.
     */
    proof: text("proof"),
  },
  (t) => [
    index("gateway_issued_receipts_status_idx").on(t.status, t.requester, t.timeMs),
    index("gateway_issued_receipts_batch_idx").on(t.batchId),
    index("gateway_issued_receipts_grant_idx").on(t.grantId, t.status),
  ],
);

/**
 * Provider side: one batch of receipts for one requester. Status moves cosigning → cosigned → submitted →
 * committed (or back to cosigned for a resubmission); `attempts` and `nextAttemptMs` pace retries.
 */
export const gatewayReceiptBatches = pgTable(
  "gateway_receipt_batches",
  {
    /** The batch hash both parties sign. */
    id: bytea("id").primaryKey(),
    requester: text("requester").notNull(),
    count: integer("count").notNull(),
    status: text("status").notNull(),
    requesterSig: bytea("requester_sig"),
    providerSig: bytea("provider_sig"),
    txHash: bytea("tx_hash"),
    attempts: integer("attempts").notNull(),
    nextAttemptMs: epochMs("next_attempt_ms").notNull(),
    createdMs: epochMs("created_ms").notNull(),
  },
  (t) => [index("gateway_receipt_batches_status_idx").on(t.status, t.nextAttemptMs)],
);

/**
 * Requester side: the calls this agency made and verified, by receipt id, so that it co-signs exactly the
 * receipts of answers it really received.
 */
export const gatewayCalls = pgTable(
  "gateway_calls",
  {
    receiptId: bytea("receipt_id").primaryKey(),
    provider: text("provider").notNull(),
    timeMs: epochMs("time_ms").notNull(),
    receipt: bytea("receipt").notNull(),
    cosigned: integer("cosigned").notNull(),
  },
  (t) => [index("gateway_calls_provider_time_idx").on(t.provider, t.timeMs)],
);

/**
 * Provider side: threshold queries answered per (grant, dataset, record key), counted against the grant's cap
 * (docs/spec/zk.md §10); kept across restarts so a restart does not hand out a fresh allowance.
 */
export const gatewayThresholdCounts = pgTable(
  "gateway_threshold_counts",
  {
    grantId: text("grant_id").notNull(),
    dataset: text("dataset").notNull(),
    recordKey: text("record_key").notNull(),
    used: integer("used").notNull(),
  },
  (t) => [primaryKey({ name: "gateway_threshold_counts_pk", columns: [t.grantId, t.dataset, t.recordKey] })],
);
