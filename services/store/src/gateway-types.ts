/** Where an issued receipt stands on its way to the ledger. */
export type IssuedReceiptStatus = "pending" | "batched" | "committed" | "disputed";
/** Where a receipt batch stands: waiting for the requester's signature, signed by both, sent in a tx, on chain; `rejected` when the ledger refused it for good (kept for the operator). */
export type ReceiptBatchStatus = "cosigning" | "cosigned" | "submitted" | "committed" | "rejected";

export interface IssuedReceiptInput {
  id: Uint8Array;
  requester: string;
  grantId: string;
  timeMs: number;
  /** The receipt's canonical bytes; the store does not read them. */
  receipt: Uint8Array;
  /** A proved answer's proof bundle (the canonical JSON text its `proofHash` covers), kept for auditors. */
  proof?: string;
}

/** A request nonce kept until its request expires (replay protection across restarts). */
export interface NonceRecord {
  requester: string;
  nonce: Uint8Array;
  expiresMs: number;
}

export interface IssuedReceiptState {
  id: Uint8Array;
  requester: string;
  status: IssuedReceiptStatus;
  batchId: Uint8Array | null;
  committedHeight: number | null;
}

export interface StoredReceiptBatch {
  id: Uint8Array;
  requester: string;
  count: number;
  status: ReceiptBatchStatus;
  requesterSig: Uint8Array | null;
  providerSig: Uint8Array | null;
  txHash: Uint8Array | null;
  attempts: number;
  nextAttemptMs: number;
  createdMs: number;
}

export type ReceiptBatchPatch = Partial<
  Pick<
    StoredReceiptBatch,
    "status" | "requesterSig" | "providerSig" | "txHash" | "attempts" | "nextAttemptMs"
  >
>;

export interface StoredCall {
  receiptId: Uint8Array;
  provider: string;
  timeMs: number;
  receipt: Uint8Array;
  cosigned: boolean;
}

/** The gateway's durable bookkeeping: replay nonces, the provider's receipt queue, the requester's call log. */
export interface GatewayRepository {
  /**
   * Takes one threshold query on (grant, dataset, record key) if fewer than `cap` were taken; resolves false
   * (nothing taken) at the cap. One statement: concurrent takes never pass the cap.
   */
  takeThresholdQuery(grant: string, dataset: string, recordKey: string, cap: number): Promise<boolean>;
  /** Records a nonce; resolves false when (requester, nonce) was recorded already (a replay). */
  claimNonce(requester: string, nonce: Uint8Array, expiresMs: number): Promise<boolean>;
  /** Forgets nonces whose request expired before `nowMs`; resolves with how many. */
  pruneNonces(nowMs: number): Promise<number>;
  /** Nonces whose request has not expired at `nowMs` (what a restarted gateway must still refuse). */
  liveNonces(nowMs: number): Promise<NonceRecord[]>;

  /** Persists an issued receipt, with the nonce of its request in the same transaction when given. */
  addIssuedReceipt(receipt: IssuedReceiptInput, nonce?: NonceRecord): Promise<void>;
  /**
   * Persists several issued receipts (and their nonces) in one transaction, all or nothing. With `flush: false`
   * the commit does not wait for the write-ahead log to reach disk (PostgreSQL's `synchronous_commit = off` for
   * this transaction only): a crash of the peer loses nothing, a crash of the database host may lose the last
   * commits of a short window (PostgreSQL: up to three times `wal_writer_delay`).
   */
  addIssuedReceipts(
    entries: { receipt: IssuedReceiptInput; nonce?: NonceRecord }[],
    options?: { flush?: boolean },
  ): Promise<void>;
  issuedReceipt(id: Uint8Array): Promise<IssuedReceiptState | null>;
  /** The proof bundle text kept with an issued receipt; null for an unknown receipt or one without a proof. */
  issuedProof(id: Uint8Array): Promise<string | null>;
  /** Receipts of `requester` waiting for a batch, oldest first (canonical bytes). */
  pendingReceipts(requester: string, limit: number): Promise<{ id: Uint8Array; receipt: Uint8Array }[]>;
  /** Requesters that have receipts waiting for a batch. */
  pendingRequesters(): Promise<string[]>;
  /** Per grant, how many issued receipts are not on the ledger yet (not committed, not disputed). */
  outstandingByGrant(): Promise<{ grantId: string; count: number }[]>;
  /** Creates a batch in `cosigning` over pending receipts, in the given order; all or nothing. */
  createBatch(
    batch: Pick<StoredReceiptBatch, "id" | "requester" | "createdMs" | "nextAttemptMs">,
    receiptIds: Uint8Array[],
  ): Promise<void>;
  /** Batches in `status` due at `nowMs`, oldest first. */
  dueBatches(status: ReceiptBatchStatus, nowMs: number, limit: number): Promise<StoredReceiptBatch[]>;
  /** The canonical bytes of a batch's receipts, in batch order. */
  batchReceipts(batchId: Uint8Array): Promise<Uint8Array[]>;
  updateBatch(id: Uint8Array, patch: ReceiptBatchPatch): Promise<void>;
  /** Marks the batch and its receipts committed at `height`. */
  commitBatch(id: Uint8Array, height: number): Promise<void>;
  /** Deletes a batch the requester refused: `disputed` receipts are set aside, the others wait for a new batch. */
  dissolveBatch(id: Uint8Array, disputed: Uint8Array[]): Promise<void>;

  recordCall(call: Omit<StoredCall, "cosigned">): Promise<void>;
  /**
   * Records several calls in one transaction; a call recorded already is kept as it was. `flush: false` as for
   * `addIssuedReceipts`.
   */
  recordCalls(calls: Omit<StoredCall, "cosigned">[], options?: { flush?: boolean }): Promise<void>;
  getCalls(receiptIds: Uint8Array[]): Promise<StoredCall[]>;
  markCosigned(receiptIds: Uint8Array[]): Promise<void>;
}
