import type { AgencyId, DatasetCommitment, DatasetId, FieldSpec } from "@coken/ledger";

/**
 * The seam between the zero-knowledge layer and its callers (the gateway). A provider answers a query over its
 * own committed dataset with a `QueryProver`; the asker checks the answer with an `AnswerVerifier` against the
 * commitment in force on the ledger. Encodings and circuit statements: docs/spec/zk.md.
 */

/** How a threshold or filter predicate compares a field with public constants. */
export type Comparison = "gte" | "lte" | "eq" | "range";

/** A field value as the catalog's field type gives it (int/decimal as decimal strings, dates as YYYY-MM-DD). */
export type FieldValue = string | number | boolean;

export interface Predicate {
  field: string;
  op: Comparison;
  value: FieldValue;
  /** Upper bound, for `range` only (inclusive). */
  upper?: FieldValue;
}

/** A question one agency may ask of another's committed dataset, in the forms the circuits prove. */
export type ZkQuery =
  /** "Is this record's field ≥ / ≤ / = the constant, or inside the range?" for the record with `key`. */
  | ({ kind: "threshold"; key: string } & Predicate)
  /** "Is there a record with this key?" (membership or non-membership). */
  | { kind: "membership"; key: string }
  /** How many rows have the indexed `field` between `from` and `to` (inclusive). */
  | { kind: "count"; field: string; from: FieldValue; to: FieldValue }
  /** The count and the sum of `sumField` over rows whose indexed `field` lies between `from` and `to`. */
  | { kind: "sum"; field: string; from: FieldValue; to: FieldValue; sumField: string }
  /** Count (and optionally sum) of rows matching every predicate, over a bounded row set. */
  | { kind: "filter"; where: Predicate[]; aggregate: "count" | "sum"; sumField?: string };

export type ZkQueryKind = ZkQuery["kind"];

/** What ties one proof to one request; replaying a proof for another binding fails verification. */
export interface ProofBinding {
  requester: AgencyId;
  /** The requester's 16 random bytes for this request. */
  nonce: Uint8Array;
  /** Milliseconds since the Unix epoch after which the request is void. */
  expiresAt: number;
}

export type ZkResult =
  | { kind: "threshold"; holds: boolean }
  | { kind: "membership"; member: boolean }
  | { kind: "count"; count: number }
  | { kind: "sum"; count: number; sum: string }
  | { kind: "filter"; count: number; sum?: string };

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
}

/** A proof as it travels: which circuit and key, the public signals (decimal field elements) and the proof. */
export interface ProofBundle {
  system: "groth16";
  /** Circuit id with its parameters, e.g. "threshold-d20". */
  circuit: string;
  /** Hash of the verifying key, as listed in the dataset commitment's `verifyingKeys`. */
  verifyingKeyHash: Uint8Array;
  publicSignals: string[];
  proof: Groth16Proof;
}

export interface ZkAnswer {
  result: ZkResult;
  proof: ProofBundle;
}

export interface ProveOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Minimum group size the asker's policy requires (sent with the request). The proof enforces the larger of
   * this and the provider's own; the asker's verifier expects exactly its own, so a provider minimum above it
   * gives an answer that asker refuses (and the provider refuses early with GROUP_TOO_SMALL when it applies).
   */
  minGroupSize?: number;
}

/** Provider side: answers and proves queries over the datasets this agency has committed. */
export interface QueryProver {
  prove(dataset: DatasetId, query: ZkQuery, binding: ProofBinding, options?: ProveOptions): Promise<ZkAnswer>;
  close(): Promise<void>;
}

/**
 * A commitment whose well-formedness evidence has been verified against the ledger (docs/spec/zk.md §9): the
 * index layout it was built with and its schema digest, which bind every answer to the ledger's rowCount and
 * the published schema.
 */
export interface WellFormedCommitment {
  /** The ledger root the evidence was checked against (32 bytes). */
  root: Uint8Array;
  rowCount: number;
  depth: number;
  indexes: { field: string; sum?: string }[];
  schemaDigest: bigint;
}

export interface ExpectedAnswer {
  /** The commitment in force on the ledger for the dataset asked. */
  commitment: DatasetCommitment;
  /** The dataset's fields as published on the ledger: their order gives the slots, their types the encodings. */
  fields: readonly FieldSpec[];
  query: ZkQuery;
  binding: ProofBinding;
  /** Minimum group size k the policy requires of counts (0 or absent: none); the proof must enforce the same k. */
  minGroupSize?: number;
  /**
   * The verified well-formedness record of `commitment` (verifyWellFormed). Required: without it no answer over
   * the commitment is accepted (NOT_WELL_FORMED), since a malformed commitment could prove contradictory answers.
   */
  wellFormed?: WellFormedCommitment | undefined;
}

/** Asker side: resolves when the answer is proved for exactly this request; rejects with a `ZkError` otherwise. */
export interface AnswerVerifier {
  verify(answer: ZkAnswer, expected: ExpectedAnswer): Promise<void>;
}
