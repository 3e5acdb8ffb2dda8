import type {
  Agency,
  AgencyId,
  CommittedState,
  Dataset,
  DatasetCommitment,
  Freeze,
  FreezeEvent,
  Grant,
  TxKind,
  TxPayloads,
} from "@coken/ledger";
import type { LedgerRepository, StoredBlock, StoredReceipt, TxRecord } from "@coken/store";
import type { DatasetCall, FederationClient, VerifiedAnswer } from "../federation/types.js";

/** Read access to committed ledger state: the peer's `chain.ledger.state`. */
export type LedgerReader = Pick<CommittedState, "get" | "entries" | "hasher">;

/** The store's ledger repository, narrowed to what the officials' views read. */
export type ChainRecords = Pick<
  LedgerRepository,
  "latestHeight" | "getBlock" | "getBlockByHash" | "listBlocks" | "getTx" | "queryReceipts" | "datasetTxs"
>;

/** What the officials' endpoint reads and calls. */
export interface OfficialComponents {
  /** The agency this gateway serves. */
  self: AgencyId;
  ledger: LedgerReader;
  chain: ChainRecords;
  federation: FederationClient;
  /** Milliseconds since the Unix epoch; grants are judged active against it. */
  clock?: () => number;
  /** Signs and submits this agency's own transactions (the `Mutation` fields); absent: actions are refused. */
  actions?: OwnTxSubmitter;
  /** Audits the peer's own chain (`Mutation.auditChain`); absent: refused. */
  audit?: ChainAuditor;
}

/**
 * Replays the peer's chain with the auditor and answers the report (`coken-audit-report/1` JSON text) with its
 * verdict; throws `GatewayError` AUDIT_UNAVAILABLE when the peer's bounds refuse the run.
 */
export type ChainAuditor = () => Promise<{
  ok: boolean;
  height: number;
  discrepancyCount: number;
  report: string;
}>;

/**
 * Signs `payload` as this agency's next transaction of `kind` with the agency's own key and hands it to the
 * peer's mempool. Returns the tx id (hex); throws `GatewayError` TX_REFUSED with the mempool's reason.
 */
export type OwnTxSubmitter = <K extends TxKind>(kind: K, payload: TxPayloads[K]) => string;

/** Per-request context of the officials' resolvers. */
export interface OfficialContext {
  official: OfficialComponents;
  /** Who is asking, when the request authenticated one. */
  officialId: string | null;
  /** Asks a provider through the FederationClient, traced and timed, with this request's signal. */
  federate(call: DatasetCall): Promise<VerifiedAnswer>;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Whether a `Mutation` needs an authenticated official (production mode). */
  actionsNeedOfficial: boolean;
}

// Parent types of object resolvers (see schema/graphql/codegen.ts mappers).
export type AgencyModel = Agency;
export interface RegionModel {
  id: string;
}
export type DatasetModel = Dataset;
export interface CommitmentModel {
  commitment: DatasetCommitment;
  version: number;
  committedAt: number | null;
}
/** A version of a dataset's commitment and the stored transaction that committed it. */
export interface CommitmentVersionModel {
  version: number;
  commitment: DatasetCommitment;
  height: number;
  /** The transaction's index in its block. */
  index: number;
  timeMs: number;
  txHash: Uint8Array;
}
export type GrantModel = Grant;
export interface AccountModel {
  agency: string;
  balance: bigint;
  seq: number;
}
export type ReceiptModel = StoredReceipt;
export type BlockModel = StoredBlock;
export type TxModel = TxRecord;
export type FreezeModel = Freeze;
export type FreezeEventModel = FreezeEvent;
