export { StoredLedger, storedEvidence, toBlockCommit } from "./chain.js";
export { StoreError, type StoreErrorCode, type StoreErrorDetail } from "./errors.js";
export * from "./gateway-repository.js";
export * from "./gateway-types.js";
export { openStore, type StoreConfig } from "./open.js";
export {
  type BlockSource,
  ReplayError,
  type ReplayErrorCode,
  type ReplayOptions,
  type ReplayReport,
  replayChain,
  replayStoredChain,
  storeBlockSource,
} from "./replay.js";
export type { ConsensusRepository, LedgerRepository, LocalDataRepository, Store } from "./repositories.js";
export type {
  BlockCommit,
  DatasetTxQuery,
  LocalRow,
  LocalRowInput,
  LocalRowPage,
  ReceiptPage,
  ReceiptQuery,
  SignState,
  StateEntry,
  StateSnapshot,
  StateWrite,
  StoredBlock,
  StoredReceipt,
  StoredTx,
  StoredWellFormedChunk,
  TimedTxRecord,
  TxRecord,
  WalEntry,
  WalRecord,
  WellFormedChunkValue,
} from "./types.js";
