import { type CborValue, EncodingError } from "@coken/ledger";

/*
 * Schema decoders with the contract of the ledger's encoding/codec.ts (a decoded CBOR value in, a typed value or
 * EncodingError("SCHEMA") with the field path out). The ledger's package entry does not export those combinators,
 * so the few used here are restated; the field patterns are the ledger's (docs/spec/ledger.md §3.2).
 */

export type Decoder<T> = (value: CborValue, path: string) => T;

function fail(path: string, message: string): never {
  throw new EncodingError("SCHEMA", message, path);
}

/** Whether a decoded CBOR value is a map. */
export function isMap(v: CborValue): v is { [key: string]: CborValue } {
  return typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Unsigned safe integer. */
export const uint: Decoder<number> = (v, path) => {
  if (typeof v !== "number" || v < 0) fail(path, "expected unsigned integer");
  return v;
};

/** A round or -1 ("none"). */
export const roundOrNone: Decoder<number> = (v, path) => {
  if (typeof v !== "number" || v < -1) fail(path, "expected integer ≥ -1");
  return v;
};

/** Byte string of exactly `length` bytes, or of at most `max` bytes when length is undefined. */
export function bytes(length?: number, max = 1 << 20): Decoder<Uint8Array> {
  return (v, path) => {
    if (!(v instanceof Uint8Array)) fail(path, "expected bytes");
    if (length !== undefined && v.length !== length) fail(path, `expected ${length} bytes`);
    if (v.length > max) fail(path, `byte string longer than ${max}`);
    return v;
  };
}

/** Text of at most `maxLength` code units matching `pattern`. */
export function text(maxLength: number, pattern: RegExp): Decoder<string> {
  return (v, path) => {
    if (typeof v !== "string") fail(path, "expected text");
    if (v.length > maxLength || !pattern.test(v)) fail(path, `text does not match ${pattern.source}`);
    return v;
  };
}

/** One of the listed strings. */
export function literal<const T extends string>(...allowed: readonly T[]): Decoder<T> {
  return (v, path) => {
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      fail(path, `expected one of ${allowed.join(", ")}`);
    }
    return v as T;
  };
}

/** `null`, or what `inner` accepts. */
export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  return (v, path) => (v === null ? null : inner(v, path));
}

type Shape = Record<string, Decoder<unknown>>;

/** A map with exactly the keys of `shape`; unknown or missing keys are refused so one object has one encoding. */
export function struct<S extends Shape>(shape: S): Decoder<{ [K in keyof S]: ReturnType<S[K]> }> {
  const keys = Object.keys(shape);
  return (v, path) => {
    if (!isMap(v)) fail(path, "expected map");
    for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) fail(`${path}.${k}`, "unknown field");
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const field = v[k];
      if (field === undefined) fail(`${path}.${k}`, "missing field");
      out[k] = (shape[k] as Decoder<unknown>)(field, `${path}.${k}`);
    }
    return out as { [K in keyof S]: ReturnType<S[K]> };
  };
}

/** Field decoders with the ledger's patterns and sizes. */
export const agencyId = text(64, /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/);
export const hash32 = bytes(32);
export const signature = bytes(undefined, 128);
