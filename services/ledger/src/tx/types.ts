import type {
  AgencyId,
  DatasetCommitment,
  DatasetEntry,
  DatasetId,
  FreezeTarget,
  GovernanceAction,
  GrantId,
  ProposalId,
  QueryKind,
} from "../model.js";

/**
 * One access: both parties are named, and the hashes bind the request, the answer and its proof.
 * `nonce` is the requester's 16 random bytes; `time` is the request time in ms since the Unix epoch.
 */
export interface AccessReceipt {
  grant: GrantId;
  dataset: DatasetId;
  provider: AgencyId;
  requester: AgencyId;
  queryKind: QueryKind;
  requestHash: Uint8Array;
  resultHash: Uint8Array;
  proofHash: Uint8Array;
  nonce: Uint8Array;
  time: number;
}

/**
 * Receipts of one requester, signed once by each side over the Merkle root of the receipt ids
 * (see `batchHash`); any single receipt is checked with its Merkle path and the two signatures.
 */
export interface ReceiptBatch {
  requester: AgencyId;
  receipts: AccessReceipt[];
  requesterSig: Uint8Array;
  providerSig: Uint8Array;
}

/**
 * What ties an attested receipt to its requester: the parts of the signed request envelope that the receipt does
 * not hold (docs/spec/gateway.md §3), and which of the batch's request signatures covers it.
 */
export interface RequestProof {
  queryHash: Uint8Array;
  variablesHash: Uint8Array;
  expiresAt: number;
  /** Index into the batch's `signatures`. */
  signature: number;
}

/**
 * A requester's signature as it arrived with one HTTP request: over one request hash (`batch` null), or over
 * H("gateway.request-batch", batch) where `batch` is the request hashes of that HTTP request, concatenated.
 */
export interface RequestSignature {
  batch: Uint8Array | null;
  signature: Uint8Array;
}

/**
 * Receipts of one requester recorded on the provider's word, each backed by the requester's own signature over
 * the request it answered: no co-signature is needed, so a requester cannot keep an answered call off the ledger.
 */
export interface AttestedBatch {
  requester: AgencyId;
  receipts: AccessReceipt[];
  /** One per receipt, same order. */
  requests: RequestProof[];
  signatures: RequestSignature[];
  providerSig: Uint8Array;
}

export interface TxPayloads {
  "agency.register": Record<string, never>;
  "dataset.publish": DatasetEntry & { commitment: DatasetCommitment | null };
  "dataset.commit": { dataset: DatasetId; commitment: DatasetCommitment };
  "grant.issue": {
    dataset: DatasetId;
    grantee: AgencyId;
    queryKinds: QueryKind[];
    fields: string[];
    purpose: string;
    quota: number;
    expiresAt: number;
  };
  "grant.revoke": { grant: GrantId; reason: string };
  "access.record": { batches: ReceiptBatch[] };
  "access.attest": { batches: AttestedBatch[] };
  "access.dispute": { provider: AgencyId; receipts: Uint8Array[]; reason: string };
  "credit.transfer": { to: AgencyId; amount: bigint; memo: string };
  /** Redeems `quantity` units of a catalog offer; the credits are burned and a voucher is written. */
  "credit.redeem": { offer: string; quantity: number; reference: string };
  "regulator.freeze": { target: FreezeTarget; reason: string };
  "regulator.unfreeze": { target: FreezeTarget; reason: string };
  "governance.propose": { action: GovernanceAction };
  "governance.vote": { proposal: ProposalId; approve: boolean };
  /** Publishes or updates (by its issuer) an item of the redemption catalog. */
  "credit.offer": { id: string; title: string; description: string; price: bigint; stock: number };
}

export type TxKind = keyof TxPayloads;
export const TX_KINDS = [
  "agency.register",
  "dataset.publish",
  "dataset.commit",
  "grant.issue",
  "grant.revoke",
  "access.record",
  "access.attest",
  "access.dispute",
  "credit.transfer",
  "credit.redeem",
  "regulator.freeze",
  "regulator.unfreeze",
  "governance.propose",
  "governance.vote",
  "credit.offer",
] as const satisfies readonly TxKind[];

/** The signed part of a transaction. `seq` is the sender's next sequence number (replay protection). */
export type TxBody<K extends TxKind = TxKind> = {
  [P in K]: { chain: string; kind: P; sender: AgencyId; seq: number; payload: TxPayloads[P] };
}[K];

export interface SignedTx<K extends TxKind = TxKind> {
  body: TxBody<K>;
  sig: Uint8Array;
}
