/** Stable codes of the zero-knowledge layer; callers branch on `code`, never on message text. */
export type ZkErrorCode =
  /** The query is malformed (unknown field, bad bounds, wrong value type). */
  | "BAD_QUERY"
  /** The query is well formed but no circuit proves it (e.g. an ordered comparison on a string field). */
  | "UNSUPPORTED_QUERY"
  /** The dataset has no commitment, or the key asked by a threshold query is not committed. */
  | "NOT_COMMITTED"
  /** A row or query value cannot be encoded as its field type says. */
  | "FIELD_ENCODING"
  /** A public input is not a canonical field element (≥ the BN254 scalar field order) or exceeds its range. */
  | "PUBLIC_INPUT_RANGE"
  /** A count below the minimum group size the policy requires. */
  | "GROUP_TOO_SMALL"
  /** The dataset does not fit the circuit (tree depth, field count, bounded row set). */
  | "CAPACITY"
  | "PROOF_INVALID"
  | "COMMITMENT_MISMATCH"
  | "BINDING_MISMATCH"
  | "EXPIRED"
  | "KEY_UNKNOWN"
  | "QUEUE_FULL"
  | "TIMEOUT"
  | "CANCELLED"
  | "ARTIFACT_MISSING"
  | "CEREMONY_INVALID"
  /** The circom compiler failed. */
  | "COMPILE_FAILED"
  /** No circuit with that name or parameters. */
  | "CIRCUIT_UNKNOWN"
  /** Development keys (known phase-1 secrets or a one-party phase 2) where production keys are required. */
  | "DEV_SETUP"
  /** A commitment build ended without a result (its process failed or was killed). */
  | "BUILD_FAILED"
  /** The commitment has no verified well-formedness evidence, or its evidence is refused (docs/spec/zk.md §9). */
  | "NOT_WELL_FORMED";

/** An error of the zero-knowledge layer with a stable code and optional details to act on. */
export class ZkError extends Error {
  readonly code: ZkErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ZkErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ZkError";
    this.code = code;
    this.details = details;
  }
}

/** True when `err` is a `ZkError`, optionally with the given code. */
export function isZkError(err: unknown, code?: ZkErrorCode): err is ZkError {
  return err instanceof ZkError && (code === undefined || err.code === code);
}
