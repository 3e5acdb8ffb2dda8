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
  "credit.transfer": { to: AgencyId; amount: bigint; memo: string };
  "credit.redeem": { amount: bigint; service: string; reference: string };
  "regulator.freeze": { target: FreezeTarget; reason: string };
  "regulator.unfreeze": { target: FreezeTarget; reason: string };
  "governance.propose": { action: GovernanceAction };
  "governance.vote": { proposal: ProposalId; approve: boolean };
}

export type TxKind = keyof TxPayloads;
export const TX_KINDS = [
  "agency.register",
  "dataset.publish",
  "dataset.commit",
  "grant.issue",
  "grant.revoke",
  "access.record",
  "credit.transfer",
  "credit.redeem",
  "regulator.freeze",
  "regulator.unfreeze",
  "governance.propose",
  "governance.vote",
] as const satisfies readonly TxKind[];

/** The signed part of a transaction. `seq` is the sender's next sequence number (replay protection). */
export type TxBody<K extends TxKind = TxKind> = {
  [P in K]: { chain: string; kind: P; sender: AgencyId; seq: number; payload: TxPayloads[P] };
}[K];

export interface SignedTx<K extends TxKind = TxKind> {
  body: TxBody<K>;
  sig: Uint8Array;
}
