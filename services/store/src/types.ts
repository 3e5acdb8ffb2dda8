// Plain data crossing the store boundary. Bytes are Uint8Array; the store knows nothing of ledger encoding.

export interface StoredTx {
  hash: Uint8Array;
  index: number;
  kind: string;
  sender: string;
  seq: number;
  /** null means the transaction was applied. */
  resultCode: string | null;
  raw: Uint8Array;
}

/** A transaction together with the height of the block that holds it. */
export interface TxRecord extends StoredTx {
  height: number;
}

export interface StoredBlock {
  height: number;
  hash: Uint8Array;
  prevHash: Uint8Array;
  timeMs: number;
  proposer: string;
  /** State root after the previous block, as carried in the header. */
  appHash: Uint8Array;
  /** State root after this block. */
  resultAppHash: Uint8Array;
  /** Canonical header bytes. */
  header: Uint8Array;
  /**
   * Canonical bytes of this block's commit certificate: for every block but the newest, the one the next block
   * carries as its lastCommit (and binds in its header); for the newest, the certificate its peer committed it
   * with (its seen commit). Null only for the height-0 row.
   */
  commit: Uint8Array | null;
  /** The block's evidence items as one opaque value (the ledger's encoding); null when there are none. */
  evidence: Uint8Array | null;
  /** In index order. */
  txs: StoredTx[];
}

export interface StateWrite {
  key: string;
  /** null deletes the key. */
  value: Uint8Array | null;
}

export interface StateEntry {
  key: string;
  value: Uint8Array;
}

export interface StateSnapshot {
  /** Height of the last committed block, null before the first one. */
  height: number | null;
  /** Ordered by key in code-point (byte) order, independent of the database collation. */
  entries: StateEntry[];
}

export interface StoredReceipt {
  id: Uint8Array;
  height: number;
  txHash: Uint8Array;
  index: number;
  provider: string;
  requester: string;
  dataset: string;
  grantId: string;
  timeMs: number;
  requestHash: Uint8Array;
  resultHash: Uint8Array;
  proofHash: Uint8Array;
  nonce: Uint8Array;
}

export interface BlockCommit {
  block: StoredBlock;
  /** The previous block's certificate as this block carries it (its lastCommit); replaces that row's commit. */
  previousCommit: Uint8Array | null;
  /** Opaque: the validator set (with keys) that decided this block, kept to resume from (see getMeta). */
  validators: Uint8Array | null;
  /** Applied in order; when a key appears more than once the last write wins. */
  stateWrites: StateWrite[];
  /** Every receipt must carry the block's height. */
  receipts: StoredReceipt[];
}

export interface ReceiptQuery {
  provider?: string;
  requester?: string;
  /** Matches receipts where the agency is either the provider or the requester. */
  agency?: string;
  dataset?: string;
  grantId?: string;
  /** Inclusive. */
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
  /** 1..1000 */
  limit: number;
  /** Opaque cursor from a previous page's `next`. */
  after?: string;
}

/** Applied `dataset.publish` and `dataset.commit` transactions of one sender (a dataset owner). */
export interface DatasetTxQuery {
  sender: string;
  /** Inclusive. */
  fromHeight: number;
  /** Inclusive. */
  toHeight: number;
  /** Only transactions before this one in chain order (the last one of a previous page). */
  before?: { height: number; index: number };
  /** 1..1000 */
  limit: number;
}

/** A transaction with the time of its block. */
export interface TimedTxRecord extends TxRecord {
  timeMs: number;
}

export interface ReceiptPage {
  /** Ordered by (timeMs, id). */
  receipts: StoredReceipt[];
  /** Cursor for the following page; null when there is none. */
  next: string | null;
}

export interface WalRecord {
  height: number;
  round: number;
  kind: string;
  payload: Uint8Array;
}

export interface WalEntry extends WalRecord {
  seq: number;
}

export interface SignState {
  height: number;
  round: number;
  step: number;
  signBytes: Uint8Array | null;
}

export interface LocalRowInput {
  key: string;
  fields: Record<string, unknown>;
}

export interface LocalRow extends LocalRowInput {
  updatedMs: number;
}

/** A chunk proof of a well-formedness evidence, as proved (JSON): its public signals and its Groth16 proof. */
export interface WellFormedChunkValue {
  publicSignals: string[];
  /** A JSON object. */
  proof: object;
}

/** A chunk proof kept while its evidence is being proved. */
export interface StoredWellFormedChunk {
  /** Index of the chunk in the evidence (0-based). */
  chunk: number;
  value: WellFormedChunkValue;
  createdMs: number;
}

export interface LocalRowPage {
  /** Ordered by key. */
  rows: LocalRow[];
  /** Pass as `after` to continue; null when there are no more rows. */
  next: string | null;
}
