/**
 * Why a transaction was refused. Codes are stable and listed in docs/spec/ledger.md §Errors; a refused
 * transaction changes nothing (not even the sender's sequence number).
 */
export type TxErrorCode =
  | "MALFORMED_TX"
  | "TX_TOO_LARGE"
  | "WRONG_CHAIN"
  | "UNKNOWN_SENDER"
  | "BAD_SIGNATURE"
  | "BAD_SEQUENCE"
  | "FROZEN"
  | "NOT_AUTHORIZED"
  | "UNKNOWN_AGENCY"
  | "UNKNOWN_DATASET"
  | "UNKNOWN_GRANT"
  | "UNKNOWN_PROPOSAL"
  | "ALREADY_EXISTS"
  | "INVALID_FIELD"
  | "GRANT_INACTIVE"
  | "QUOTA_EXCEEDED"
  | "DUPLICATE_RECEIPT"
  | "RECEIPT_MISMATCH"
  | "RECEIPT_TIME"
  | "BAD_RECEIPT_SIGNATURE"
  | "BAD_REQUEST_PROOF"
  | "UNKNOWN_RECEIPT"
  | "ALREADY_DISPUTED"
  | "DISPUTE_CLOSED"
  | "TOO_MANY_RECEIPTS"
  | "INSUFFICIENT_BALANCE"
  | "UNKNOWN_OFFER"
  | "OUT_OF_STOCK"
  | "ALREADY_FROZEN"
  | "NOT_FROZEN"
  | "ALREADY_APPROVED"
  | "PROPOSAL_CLOSED"
  | "ALREADY_VOTED";

export type TxErrorDetail = Readonly<Record<string, string | number | boolean | null>>;

export class TxError extends Error {
  override readonly name = "TxError";
  constructor(
    readonly code: TxErrorCode,
    message: string,
    readonly detail: TxErrorDetail = {},
  ) {
    super(message);
  }
}

/** Throws a TxError; handlers use it to stop at the first broken rule. */
export function reject(code: TxErrorCode, message: string, detail: TxErrorDetail = {}): never {
  throw new TxError(code, message, detail);
}
