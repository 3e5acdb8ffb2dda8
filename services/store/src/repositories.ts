import type { GatewayRepository } from "./gateway-types.js";
import type {
  BlockCommit,
  DatasetTxQuery,
  LocalRow,
  LocalRowInput,
  LocalRowPage,
  ReceiptPage,
  ReceiptQuery,
  SignState,
  StateSnapshot,
  StoredBlock,
  StoredWellFormedChunk,
  TimedTxRecord,
  TxRecord,
  WalEntry,
  WalRecord,
  WellFormedChunkValue,
} from "./types.js";

export interface LedgerRepository {
  /**
   * Writes the block, its transactions, state writes, receipts and the committed state height in one
   * database transaction. Rejects with HEIGHT_CONFLICT unless the height follows the latest block (the first
   * block may have any height), and with PREV_HASH_MISMATCH unless prevHash is the latest block's hash.
   */
  commitBlock(commit: BlockCommit): Promise<void>;
  /** Attaches (or replaces) the commit certificate of a stored block. */
  setCommitCertificate(height: number, commit: Uint8Array): Promise<void>;
  latestHeight(): Promise<number | null>;
  getBlock(height: number): Promise<StoredBlock | null>;
  getBlockByHash(hash: Uint8Array): Promise<StoredBlock | null>;
  /** Blocks with height >= fromHeight in ascending order; limit 1..1000. */
  listBlocks(fromHeight: number, limit: number): Promise<StoredBlock[]>;
  getTx(hash: Uint8Array): Promise<TxRecord | null>;
  /** The committed state and its height, read from one snapshot. */
  loadState(): Promise<StateSnapshot>;
  getMeta(key: string): Promise<Uint8Array | null>;
  setMeta(key: string, value: Uint8Array): Promise<void>;
  queryReceipts(query: ReceiptQuery): Promise<ReceiptPage>;
  /**
   * Applied `dataset.publish` and `dataset.commit` transactions of one sender in a height range, newest first by
   * (height, index), with their block's time; limit 1..1000. A partial index holds only these, so the sender's
   * other transactions (its access records) are never read.
   */
  datasetTxs(query: DatasetTxQuery): Promise<TimedTxRecord[]>;
}

export interface ConsensusRepository {
  /** Resolves with the entry's sequence number once it is durable. */
  appendWal(record: WalRecord): Promise<number>;
  /**
   * Appends records in order in one transaction (group commit): all become durable together, or none does.
   * Resolves with their sequence numbers, in the records' order.
   */
  appendWalBatch(records: readonly WalRecord[]): Promise<number[]>;
  /** Entries of one height in append order. */
  readWal(height: number): Promise<WalEntry[]>;
  /** Deletes entries of heights below `height`; resolves with how many were deleted. */
  pruneWalBelow(height: number): Promise<number>;
  getSignState(): Promise<SignState | null>;
  /**
   * Records what this validator is about to sign. Rejects with SIGN_REGRESSION when (height, round, step)
   * would move backwards, or stays equal while replacing different sign bytes that were already recorded.
   */
  setSignState(state: SignState): Promise<void>;
}

export interface LocalDataRepository {
  /** Inserts or replaces rows, all or nothing; a key given twice keeps its last fields. */
  upsertRows(dataset: string, rows: LocalRowInput[], nowMs: number): Promise<void>;
  getRow(dataset: string, key: string): Promise<LocalRow | null>;
  /** The rows of these keys that exist, in no particular order; 1..1000 keys, one statement. */
  getRows(dataset: string, keys: string[]): Promise<LocalRow[]>;
  /** Rows with key > after, ordered by key; limit 1..1000. */
  listRows(dataset: string, page: { after?: string; limit: number }): Promise<LocalRowPage>;
  countRows(dataset: string): Promise<number>;
  /** Erases the row; resolves false when there was none. */
  deleteRow(dataset: string, key: string): Promise<boolean>;
  /** Keeps the well-formedness evidence (public JSON) of the agency's own commitment `root`; replaces an older copy. */
  putWellFormedEvidence(dataset: string, root: Uint8Array, evidence: unknown, nowMs: number): Promise<void>;
  /** The evidence kept for exactly this commitment root, or null. */
  getWellFormedEvidence(dataset: string, root: Uint8Array): Promise<unknown | null>;
  /**
   * Keeps one chunk proof of the evidence of commitment `root` being proved with chunk circuit `circuit` under the
   * key with hash `verifyingKeyHash` (hex), so that a restarted proof resumes from it; replaces an earlier copy.
   */
  putWellFormedChunk(
    dataset: string,
    root: Uint8Array,
    circuit: string,
    verifyingKeyHash: string,
    chunk: number,
    value: WellFormedChunkValue,
    nowMs: number,
  ): Promise<void>;
  /** The chunk proofs kept for exactly this commitment, circuit and key, ordered by chunk (read 1,000 at a time). */
  listWellFormedChunks(
    dataset: string,
    root: Uint8Array,
    circuit: string,
    verifyingKeyHash: string,
  ): Promise<StoredWellFormedChunk[]>;
  /**
   * Drops the dataset's kept chunk proofs: all of them, or all but those of commitment `exceptRoot`. Resolves with
   * how many were dropped.
   */
  deleteWellFormedChunks(dataset: string, exceptRoot?: Uint8Array): Promise<number>;
}

export interface Store {
  readonly kind: "pglite" | "postgres";
  readonly ledger: LedgerRepository;
  readonly consensus: ConsensusRepository;
  readonly localData: LocalDataRepository;
  /** The gateway's nonces, receipt queue and call log; every store opened by `openStore` has it. */
  readonly gateway?: GatewayRepository;
  /**
   * Bytes of the embedded database's WebAssembly memory (PGlite: it grows with use and never shrinks; it counts in
   * the peer's resident memory as far as it was touched); absent for a database server.
   */
  wasmMemoryBytes?(): number;
  /** Releases the database client or pool; idempotent. */
  close(): Promise<void>;
}
