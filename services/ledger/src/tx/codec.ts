import { type CborValue, decodeCbor, encodeCbor } from "../encoding/cbor.js";
import {
  array,
  bool,
  bytes,
  type Decoder,
  isMap,
  literal,
  nullable,
  optional,
  set,
  struct,
  tagged,
  text,
  u64,
  uint,
} from "../encoding/codec.js";
import { EncodingError } from "../encoding/errors.js";
import {
  admissionShape,
  agencyId,
  chainId,
  commitment,
  datasetId,
  derivedId,
  fieldName,
  fieldSpec,
  freezeTarget,
  hash32,
  longText,
  queryKind,
  queryKinds,
  region,
  roles,
  shortText,
  signature,
  updateFrequency,
} from "../encoding/fields.js";
import type { FreezeRules, GovernanceAction, Params, RegulatorSet } from "../model.js";
import {
  type AccessReceipt,
  type SignedTx,
  TX_KINDS,
  type TxBody,
  type TxKind,
  type TxPayloads,
} from "./types.js";

export const LIMITS = {
  fields: 256,
  tags: 32,
  batches: 1024,
  receiptsPerBatch: 100_000,
  validators: 256,
  /** Votes a stored proposal may hold (the validator set can change during its life). */
  votes: 1024,
  /** Request hashes one request signature may cover (one HTTP request's operations). */
  signedRequests: 64,
  disputedReceipts: 1000,
  /** Members of the regulator set. */
  regulators: 64,
} as const;

export const accessReceipt: Decoder<AccessReceipt> = struct({
  grant: derivedId,
  dataset: datasetId,
  provider: agencyId,
  requester: agencyId,
  queryKind,
  requestHash: hash32,
  resultHash: hash32,
  proofHash: hash32,
  nonce: bytes(16),
  time: uint,
});

const paramsPatch: Decoder<Partial<Params>> = struct({
  epochLength: optional(uint),
  maxTxBytes: optional(uint),
  maxReceiptsPerTx: optional(uint),
  receiptMaxAgeMs: optional(uint),
  receiptMaxFutureMs: optional(uint),
  proposalTtl: optional(uint),
  mintPerEpoch: optional(uint),
  feeBurnBps: optional(uint),
  pairCap: optional(uint),
  rewardCapBps: optional(uint),
}) as Decoder<Partial<Params>>;

export const validator = struct({ agency: agencyId, power: uint });

export const regulatorSet: Decoder<RegulatorSet> = struct({
  members: array(agencyId, LIMITS.regulators, 1),
  threshold: uint,
});

export const freezeRules: Decoder<FreezeRules> = struct({
  doubleSign: bool,
  quotaOverrunBps: uint,
  disputeRateBps: uint,
  disputeMinReceipts: uint,
});

export const governanceAction: Decoder<GovernanceAction> = tagged<GovernanceAction>("type", {
  "validators.set": struct({
    type: literal("validators.set"),
    validators: array(validator, LIMITS.validators, 1),
  }),
  "params.set": struct({ type: literal("params.set"), params: paramsPatch }),
  "agency.admit": struct({
    type: literal("agency.admit"),
    agency: struct(admissionShape),
  }),
  "agency.roles": struct({ type: literal("agency.roles"), agency: agencyId, roles }),
  "agency.relate": struct({
    type: literal("agency.relate"),
    agencies: array(agencyId, 2, 2),
    related: bool,
  }) as Decoder<GovernanceAction>,
  "regulators.set": struct({ type: literal("regulators.set"), regulators: regulatorSet }),
  "freezeRules.set": struct({ type: literal("freezeRules.set"), rules: freezeRules }),
});

const payloads: { [K in TxKind]: Decoder<TxPayloads[K]> } = {
  "agency.register": struct({}) as Decoder<Record<string, never>>,
  "dataset.publish": struct({
    id: datasetId,
    title: shortText,
    description: longText,
    fields: array(fieldSpec, LIMITS.fields, 1),
    region,
    tags: set(text(64, /^[^\s].{0,63}$/u), LIMITS.tags),
    updateFrequency,
    licence: shortText,
    queryKinds,
    price: u64,
    commitment: nullable(commitment),
  }),
  "dataset.commit": struct({ dataset: datasetId, commitment }),
  "grant.issue": struct({
    dataset: datasetId,
    grantee: agencyId,
    queryKinds,
    fields: set(fieldName, LIMITS.fields),
    purpose: text(1024),
    quota: uint,
    expiresAt: uint,
  }),
  "grant.revoke": struct({ grant: derivedId, reason: text(1024) }),
  "access.record": struct({
    batches: array(
      struct({
        requester: agencyId,
        receipts: array(accessReceipt, LIMITS.receiptsPerBatch, 1),
        requesterSig: signature,
        providerSig: signature,
      }),
      LIMITS.batches,
      1,
    ),
  }),
  "access.attest": struct({
    batches: array(
      struct({
        requester: agencyId,
        receipts: array(accessReceipt, LIMITS.receiptsPerBatch, 1),
        requests: array(
          struct({ queryHash: hash32, variablesHash: hash32, expiresAt: uint, signature: uint }),
          LIMITS.receiptsPerBatch,
          1,
        ),
        signatures: array(
          struct({ batch: nullable(bytes(undefined, 32 * LIMITS.signedRequests)), signature }),
          LIMITS.receiptsPerBatch,
          1,
        ),
        providerSig: signature,
      }),
      LIMITS.batches,
      1,
    ),
  }),
  "access.dispute": struct({
    provider: agencyId,
    receipts: array(hash32, LIMITS.disputedReceipts, 1),
    reason: text(1024),
  }),
  "credit.transfer": struct({ to: agencyId, amount: u64, memo: text(256) }),
  "credit.redeem": struct({ offer: datasetId, quantity: uint, reference: text(256) }),
  "regulator.freeze": struct({ target: freezeTarget, reason: text(1024) }),
  "regulator.unfreeze": struct({ target: freezeTarget, reason: text(1024) }),
  "governance.propose": struct({ action: governanceAction }),
  "governance.vote": struct({ proposal: derivedId, approve: bool }),
  "credit.offer": struct({
    id: datasetId,
    title: shortText,
    description: text(1024),
    price: u64,
    stock: uint,
  }),
};

const bodyHead = struct({
  chain: chainId,
  kind: literal(...TX_KINDS),
  sender: agencyId,
  seq: uint,
  payload: (v: CborValue) => v,
});

export const txBody: Decoder<TxBody> = (v, path) => {
  const head = bodyHead(v, path);
  const payload = (payloads[head.kind] as Decoder<unknown>)(head.payload, `${path}.payload`);
  return { ...head, payload } as TxBody;
};

export const signedTx: Decoder<SignedTx> = struct({ body: txBody, sig: signature });

/** Canonical bytes of a tx body; the sender signs their hash, the tx id (`txId`). */
export function encodeTxBody(body: TxBody): Uint8Array {
  return encodeCbor(body as unknown as CborValue);
}

export function encodeTx(tx: SignedTx): Uint8Array {
  return encodeCbor(tx as unknown as CborValue);
}

/** Parses tx bytes; throws only `EncodingError`. */
export function decodeTx(raw: Uint8Array): SignedTx {
  const value = decodeCbor(raw);
  if (!isMap(value)) throw new EncodingError("SCHEMA", "a transaction is a map");
  return signedTx(value, "tx");
}
