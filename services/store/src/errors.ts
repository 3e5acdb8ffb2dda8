import { DrizzleQueryError } from "drizzle-orm";

export type StoreErrorCode =
  | "HEIGHT_CONFLICT"
  | "PREV_HASH_MISMATCH"
  | "SIGN_REGRESSION"
  | "INVALID_ARGUMENT"
  | "NO_STORE" // opened without create: no database there, or one without the Coken schema
  | "SCHEMA_OUTDATED" // opened without create: the schema lacks migrations this version needs
  | "DATABASE";

/** Identifiers and counts only: never row data, so errors are safe to log. */
export type StoreErrorDetail = Readonly<Record<string, string | number | boolean | null>>;

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  readonly detail: StoreErrorDetail;

  constructor(code: StoreErrorCode, message: string, detail: StoreErrorDetail = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }
}

export function invalidArgument(message: string, detail: StoreErrorDetail = {}): StoreError {
  return new StoreError("INVALID_ARGUMENT", message, detail);
}

function stringProp(value: unknown, key: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const prop: unknown = Reflect.get(value, key);
  return typeof prop === "string" ? prop : null;
}

/**
 * Wraps anything thrown by a driver as DATABASE. The message carries only the SQLSTATE/driver code and the
 * constraint name: driver messages and drizzle's "Failed query … params" can quote row values, so they stay
 * in `cause` for debugging instead.
 */
export function toStoreError(error: unknown, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  // drizzle wraps driver errors together with the query text and parameters; keep only the driver error.
  const cause = error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
  const code = stringProp(cause, "code");
  const constraint = stringProp(cause, "constraint");
  const suffix = [code && `code ${code}`, constraint && `constraint ${constraint}`]
    .filter(Boolean)
    .join(", ");
  return new StoreError(
    "DATABASE",
    `${operation} failed: database error${suffix ? ` (${suffix})` : ""}`,
    { operation, code, constraint },
    { cause },
  );
}
