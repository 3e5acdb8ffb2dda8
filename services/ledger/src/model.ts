import type { Mmr } from "./crypto/mmr.js";
import type { KeyScheme } from "./crypto/signature.js";

/** Agency identifier: 1–64 of a-z 0-9 . - , starting and ending alphanumeric (e.g. "sh.land-registry"). */
export type AgencyId = string;
export type DatasetId = string;
/** Grant and proposal ids are derived from (sender, seq): 32 lower-case hex characters. */
export type GrantId = string;
export type ProposalId = string;

export type Role = "validator" | "member" | "regulator" | "auditor";
export const ROLES: readonly Role[] = ["validator", "member", "regulator", "auditor"];

export type FieldType = "string" | "int" | "decimal" | "date" | "bool" | "bytes";
export const FIELD_TYPES: readonly FieldType[] = ["string", "int", "decimal", "date", "bool", "bytes"];

/** What an asker may learn from a dataset: see docs/spec/ledger.md §Query kinds. */
export type QueryKind = "lookup" | "threshold" | "membership" | "count" | "sum" | "filter";
export const QUERY_KINDS: readonly QueryKind[] = [
  "lookup",
  "threshold",
  "membership",
  "count",
  "sum",
  "filter",
];

export type UpdateFrequency =
  | "realtime"
  | "hourly"
  | "daily"
  | "weekly"
  | "monthly"
  | "quarterly"
  | "yearly"
  | "irregular";
export const UPDATE_FREQUENCIES: readonly UpdateFrequency[] = [
  "realtime",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "quarterly",
  "yearly",
  "irregular",
];

export type FreezeKind = "agency" | "dataset" | "grant" | "account";
export const FREEZE_KINDS: readonly FreezeKind[] = ["agency", "dataset", "grant", "account"];

/** An agency as governance admits it, before it registers itself. */
export interface AgencyAdmission {
  id: AgencyId;
  name: string;
  region: string;
  publicKey: Uint8Array;
  keyScheme: KeyScheme;
  roles: Role[];
}

export interface Agency extends AgencyAdmission {
  /** Height of registration (0 for genesis agencies). */
  registeredAt: number;
}

/** The credit account and replay counter of one agency. */
export interface Account {
  seq: number;
  balance: bigint;
}

export interface FieldSpec {
  name: string;
  type: FieldType;
  indexed: boolean;
  /** Holds personal data: never shown raw, only through proved query kinds. */
  personal: boolean;
}

export interface VerifyingKeyRef {
  queryKind: QueryKind;
  hash: Uint8Array;
}

/** What the owner commits to for zero-knowledge answers; the rows stay with the owner. */
export interface DatasetCommitment {
  scheme: string;
  root: Uint8Array;
  rowCount: number;
  indexedFields: string[];
  verifyingKeys: VerifyingKeyRef[];
}

export interface DatasetEntry {
  id: DatasetId;
  title: string;
  description: string;
  fields: FieldSpec[];
  region: string;
  tags: string[];
  updateFrequency: UpdateFrequency;
  licence: string;
  queryKinds: QueryKind[];
  price: bigint;
}

export interface Dataset extends DatasetEntry {
  owner: AgencyId;
  commitment: DatasetCommitment | null;
  commitmentVersion: number;
  committedAt: number | null;
  publishedAt: number;
  accessCount: number;
}

export interface Revocation {
  height: number;
  time: number;
  reason: string;
}

export interface Grant {
  id: GrantId;
  dataset: DatasetId;
  grantor: AgencyId;
  grantee: AgencyId;
  queryKinds: QueryKind[];
  fields: string[];
  purpose: string;
  quota: number;
  used: number;
  expiresAt: number;
  issuedAt: number;
  revoked: Revocation | null;
}

export interface FreezeTarget {
  kind: FreezeKind;
  id: string;
}

export interface Freeze extends FreezeTarget {
  reason: string;
  /** The regulator that froze it, or `rule:<rule id>` for an automatic freeze. */
  by: string;
  height: number;
  time: number;
  /** The automatic rule that froze it (`double-sign`, `quota-overrun`, `dispute-rate`); null for a regulator's. */
  rule: string | null;
  /** For an automatic freeze: the state key of the facts and what they showed; null otherwise. */
  evidence: string | null;
  /** Regulator set members that approved lifting it, ascending; it lifts at the set's threshold. */
  approvals: AgencyId[];
}

/** Who may freeze (any one member) and how many distinct members must approve an unfreeze. */
export interface RegulatorSet {
  members: AgencyId[];
  threshold: number;
}

/**
 * Automatic freeze rules run at the end of every block (docs/spec/ledger.md §10.9). Zero turns a rule off;
 * absent record = all off.
 */
export interface FreezeRules {
  /** Freeze the agency of a validator whose double vote this block's evidence records. */
  doubleSign: boolean;
  /** Freeze a grant once refused over-quota receipts bring its attempted use to this share of its quota (bps, ≥ 10000). */
  quotaOverrunBps: number;
  /** Freeze a dataset whose disputed share of recorded receipts exceeds this (bps, 1..10000). */
  disputeRateBps: number;
  /** Recorded receipts a dataset needs before the dispute-rate rule applies to it. */
  disputeMinReceipts: number;
}

export type FreezeAction = "freeze" | "approve" | "unfreeze";

/** One entry of a target's freeze history. */
export interface FreezeEvent extends FreezeTarget {
  /** Position in the target's history, from 0. */
  n: number;
  action: FreezeAction;
  by: string;
  reason: string;
  rule: string | null;
  evidence: string | null;
  /** Approvals after this event (an unfreeze: those that lifted it). */
  approvals: AgencyId[];
  height: number;
  time: number;
}

export interface Validator {
  agency: AgencyId;
  power: number;
}

export interface Params {
  /** Blocks per credit-settlement epoch. */
  epochLength: number;
  maxTxBytes: number;
  maxReceiptsPerTx: number;
  /** Receipts older than this (by block time) are refused; it bounds the duplicate-receipt window. */
  receiptMaxAgeMs: number;
  /** How far a receipt's time may run ahead of block time. */
  receiptMaxFutureMs: number;
  /** Blocks a proposal stays open. */
  proposalTtl: number;
  /** Credits minted per epoch at most, split by the reward formula (absent: default, docs/spec/credits.md §9). */
  mintPerEpoch?: number;
  /** Share of each query fee burned, in basis points (absent: default). */
  feeBurnBps?: number;
  /** Receipts of one consumer that count for one provider per epoch (absent: default). */
  pairCap?: number;
  /** A provider's reward is at most this share of the burned fees of its counted use, in basis points. */
  rewardCapBps?: number;
}

export type GovernanceAction =
  | { type: "validators.set"; validators: Validator[] }
  | { type: "params.set"; params: Partial<Params> }
  | { type: "agency.admit"; agency: AgencyAdmission }
  | { type: "agency.roles"; agency: AgencyId; roles: Role[] }
  /** Declares two agencies related (one owner or budget), or no longer: neither earns rewards from the other. */
  | { type: "agency.relate"; agencies: [AgencyId, AgencyId]; related: boolean }
  | { type: "regulators.set"; regulators: RegulatorSet }
  | { type: "freezeRules.set"; rules: FreezeRules };

export interface Vote {
  agency: AgencyId;
  approve: boolean;
}

export type ProposalStatus = "open" | "executed" | "rejected" | "failed";

export interface Proposal {
  id: ProposalId;
  proposer: AgencyId;
  action: GovernanceAction;
  createdAt: number;
  deadline: number;
  votes: Vote[];
  status: ProposalStatus;
  closedAt: number | null;
  failure: string | null;
}

/** Accumulator of every receipt batch ever recorded (leaves are batch hashes). */
export interface ReceiptLog {
  batches: Mmr;
  receiptCount: number;
  /**
   * Receipts older than this time are refused. It only rises (to block time − receiptMaxAgeMs at the end of each
   * block), so forgetting ids older than it can never let a duplicate back in, even if the age limit is raised.
   */
  floor: number;
}

/**
 * A receipt recorded by `access.attest` (on the provider's word, backed by the requester's signed request) rather
 * than co-signed. The requester may dispute it while `time` of the block is below `recordedTime +
 * receiptMaxAgeMs`; a dispute is final and the receipt keeps counting against the grant's quota.
 */
export interface AttestedReceipt {
  id: Uint8Array;
  provider: AgencyId;
  requester: AgencyId;
  grant: GrantId;
  dataset: DatasetId;
  queryKind: QueryKind;
  /** Request time, ms. */
  time: number;
  /** Height and block time of the block that recorded it. */
  recordedAt: number;
  recordedTime: number;
  dispute: { reason: string; height: number; time: number } | null;
}

/** A validator's double vote, recorded from block evidence (the regulator's rules act on it). */
export interface MisbehaviourRecord {
  validator: AgencyId;
  height: number;
  round: number;
  type: "prevote" | "precommit";
  blockHashes: (Uint8Array | null)[];
  recordedAt: number;
}

/** Settlement bookkeeping; the credits specification fills in what an epoch settles. */
export interface EpochState {
  number: number;
  startHeight: number;
}
