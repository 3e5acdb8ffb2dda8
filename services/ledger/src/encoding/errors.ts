/** Why bytes or a decoded value were refused. Stable codes; branch on `code`, never on the message. */
export type EncodingErrorCode =
  | "TRUNCATED" // input ended inside an item
  | "TRAILING_BYTES" // bytes left after the top-level item
  | "UNSUPPORTED" // a CBOR feature outside the Coken profile (tags, floats, indefinite lengths, undefined)
  | "NON_CANONICAL" // not the one deterministic encoding (long-form length, unsorted or duplicate map keys)
  | "INVALID_UTF8"
  | "TOO_DEEP"
  | "TOO_LARGE"
  | "SCHEMA"; // well-formed CBOR that is not the expected object

export class EncodingError extends Error {
  override readonly name = "EncodingError";
  constructor(
    readonly code: EncodingErrorCode,
    message: string,
    readonly path: string = "",
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}
