/**
 * Stable codes of the gateway, surfaced as GraphQL `extensions.code`. A refusal says which rule refused the
 * call and nothing about the data behind it.
 */
export type GatewayErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "GRANT_REQUIRED"
  | "GRANT_EXPIRED"
  | "QUOTA_EXCEEDED"
  | "FROZEN"
  | "BAD_USER_INPUT"
  | "REPLAYED"
  | "RATE_LIMITED"
  | "PROOF_INVALID"
  /** A proved answer over a commitment with no verified well-formedness evidence (docs/spec/zk.md §9). */
  | "NOT_WELL_FORMED"
  /** The requester's committed balance cannot pay the dataset's price for one more answer. */
  | "INSUFFICIENT_BALANCE"
  /** A proved query kind asked of a provider that runs no prover (or an asker that runs no verifier). */
  | "UNSUPPORTED_QUERY"
  | "UPSTREAM_UNAVAILABLE"
  | "UPSTREAM_TIMEOUT"
  | "PAYLOAD_TOO_LARGE"
  /** The peer's mempool refused a transaction this gateway signed for its agency (reason in the message). */
  | "TX_REFUSED"
  /** The peer's bounds on auditing its own chain (length, deadline) refused the run; `coken audit` has none. */
  | "AUDIT_UNAVAILABLE"
  /** A block is in ledger state but still being written to the store; asking again a moment later succeeds. */
  | "STORE_BEHIND"
  | "INTERNAL";

export class GatewayError extends Error {
  override readonly name = "GatewayError";

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(message);
  }
}

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;
