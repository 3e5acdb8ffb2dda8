import { type CreditRecords, creditRecordDecoders } from "../credits/records.js";
import {
  array,
  bool,
  type Decoder,
  literal,
  nullable,
  optional,
  set,
  struct,
  text,
  u64,
  uint,
} from "../encoding/codec.js";
import {
  admissionShape,
  agencyId,
  commitment,
  datasetId,
  derivedId,
  fieldName,
  fieldSpec,
  hash32,
  longText,
  queryKind,
  queryKinds,
  region,
  shortText,
  updateFrequency,
} from "../encoding/fields.js";
import type {
  Account,
  Agency,
  AgencyAdmission,
  AttestedReceipt,
  Dataset,
  EpochState,
  Freeze,
  FreezeEvent,
  FreezeRules,
  Grant,
  MisbehaviourRecord,
  Params,
  Proposal,
  ReceiptLog,
  RegulatorSet,
  Validator,
} from "../model.js";
import { FREEZE_KINDS } from "../model.js";
import { freezeRules, governanceAction, LIMITS, regulatorSet, validator } from "../tx/codec.js";

/** The record type stored under each key prefix (docs/spec/ledger.md §State layout). */
export interface StateRecords extends CreditRecords {
  agency: Agency;
  account: Account;
  admission: AgencyAdmission;
  dataset: Dataset;
  grant: Grant;
  freeze: Freeze;
  freezelog: { count: number };
  freezeevent: FreezeEvent;
  regulators: RegulatorSet;
  freezerules: FreezeRules;
  overquota: { excess: number };
  proposal: Proposal;
  params: Params;
  validators: { validators: Validator[] };
  nextvalidators: { validators: Validator[] };
  receipts: ReceiptLog;
  epoch: EpochState;
  evidence: MisbehaviourRecord;
  attested: AttestedReceipt;
}
export type RecordKind = keyof StateRecords;
export type StateRecord = StateRecords[RecordKind];

const params: Decoder<Params> = struct({
  epochLength: uint,
  maxTxBytes: uint,
  maxReceiptsPerTx: uint,
  receiptMaxAgeMs: uint,
  receiptMaxFutureMs: uint,
  proposalTtl: uint,
  mintPerEpoch: optional(uint),
  feeBurnBps: optional(uint),
  pairCap: optional(uint),
  rewardCapBps: optional(uint),
}) as Decoder<Params>;

const validatorSet = struct({ validators: array(validator, LIMITS.validators, 1) });

export const recordDecoders: { [K in RecordKind]: Decoder<StateRecords[K]> } = {
  agency: struct({ ...admissionShape, registeredAt: uint }),
  account: struct({ seq: uint, balance: u64 }),
  admission: struct(admissionShape),
  dataset: struct({
    id: datasetId,
    title: shortText,
    description: longText,
    fields: array(fieldSpec, LIMITS.fields, 1),
    region,
    tags: set(text(64), LIMITS.tags),
    updateFrequency,
    licence: shortText,
    queryKinds,
    price: u64,
    owner: agencyId,
    commitment: nullable(commitment),
    commitmentVersion: uint,
    committedAt: nullable(uint),
    publishedAt: uint,
    accessCount: uint,
  }),
  grant: struct({
    id: derivedId,
    dataset: datasetId,
    grantor: agencyId,
    grantee: agencyId,
    queryKinds,
    fields: set(fieldName, LIMITS.fields),
    purpose: text(1024),
    quota: uint,
    used: uint,
    expiresAt: uint,
    issuedAt: uint,
    revoked: nullable(struct({ height: uint, time: uint, reason: text(1024) })),
  }),
  freeze: struct({
    kind: literal(...FREEZE_KINDS),
    id: text(128),
    reason: text(1024),
    by: text(128),
    height: uint,
    time: uint,
    rule: nullable(text(64)),
    evidence: nullable(text(1024)),
    approvals: array(agencyId, LIMITS.regulators),
  }),
  freezelog: struct({ count: uint }),
  freezeevent: struct({
    kind: literal(...FREEZE_KINDS),
    id: text(128),
    n: uint,
    action: literal("freeze", "approve", "unfreeze"),
    by: text(128),
    reason: text(1024),
    rule: nullable(text(64)),
    evidence: nullable(text(1024)),
    approvals: array(agencyId, LIMITS.regulators),
    height: uint,
    time: uint,
  }),
  regulators: regulatorSet,
  freezerules: freezeRules,
  overquota: struct({ excess: uint }),
  proposal: struct({
    id: derivedId,
    proposer: agencyId,
    action: governanceAction,
    createdAt: uint,
    deadline: uint,
    votes: array(struct({ agency: agencyId, approve: bool }), LIMITS.votes),
    status: literal("open", "executed", "rejected", "failed"),
    closedAt: nullable(uint),
    failure: nullable(text(1024)),
  }),
  params,
  validators: validatorSet,
  nextvalidators: validatorSet,
  receipts: struct({
    batches: struct({ leafCount: uint, peaks: array(struct({ height: uint, hash: hash32 }), 64) }),
    receiptCount: uint,
    floor: uint,
  }),
  epoch: struct({ number: uint, startHeight: uint }),
  evidence: struct({
    validator: agencyId,
    height: uint,
    round: uint,
    type: literal("prevote", "precommit"),
    blockHashes: array(nullable(hash32), 2, 2),
    recordedAt: uint,
  }),
  attested: struct({
    id: hash32,
    provider: agencyId,
    requester: agencyId,
    grant: derivedId,
    dataset: datasetId,
    queryKind,
    time: uint,
    recordedAt: uint,
    recordedTime: uint,
    dispute: nullable(struct({ reason: text(1024), height: uint, time: uint })),
  }),
  ...creditRecordDecoders,
};
