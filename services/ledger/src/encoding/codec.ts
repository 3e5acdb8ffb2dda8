import type { CborMap, CborValue } from "./cbor.js";
import { EncodingError } from "./errors.js";

/**
 * A decoder turns a decoded CBOR value into a typed value or throws `EncodingError("SCHEMA")`
 * naming the path of the offending field. Pure and total over every CBOR value.
 */
export type Decoder<T> = (value: CborValue, path: string) => T;

function fail(path: string, message: string): never {
  throw new EncodingError("SCHEMA", message, path);
}

function describe(v: CborValue): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

export function isMap(v: CborValue): v is CborMap {
  return typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Unsigned safe integer (0 ≤ n ≤ 2^53-1). */
export const uint: Decoder<number> = (v, path) => {
  if (typeof v !== "number" || v < 0) fail(path, `expected unsigned integer, got ${describe(v)}`);
  return v;
};

/** Unsigned 64-bit integer as bigint. */
export const u64: Decoder<bigint> = (v, path) => {
  if (typeof v === "number" && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n) return v;
  return fail(path, `expected unsigned 64-bit integer, got ${describe(v)}`);
};

export const bool: Decoder<boolean> = (v, path) => {
  if (typeof v !== "boolean") fail(path, `expected boolean, got ${describe(v)}`);
  return v;
};

/** Text with a maximum length in UTF-16 code units and an optional pattern. */
export function text(maxLength: number, pattern?: RegExp): Decoder<string> {
  return (v, path) => {
    if (typeof v !== "string") fail(path, `expected text, got ${describe(v)}`);
    if (v.length > maxLength) fail(path, `text longer than ${maxLength}`);
    if (pattern && !pattern.test(v)) fail(path, `text does not match ${pattern.source}`);
    return v;
  };
}

/** Byte string of exactly `length` bytes, or of at most `max` bytes when length is undefined. */
export function bytes(length?: number, max = 1 << 20): Decoder<Uint8Array> {
  return (v, path) => {
    if (!(v instanceof Uint8Array)) fail(path, `expected bytes, got ${describe(v)}`);
    if (length !== undefined && v.length !== length) fail(path, `expected ${length} bytes, got ${v.length}`);
    if (v.length > max) fail(path, `byte string longer than ${max}`);
    return v;
  };
}

export function literal<const T extends string>(...allowed: readonly T[]): Decoder<T> {
  return (v, path) => {
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      fail(path, `expected one of ${allowed.join(", ")}`);
    }
    return v as T;
  };
}

export function array<T>(item: Decoder<T>, maxItems: number, minItems = 0): Decoder<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, `expected array, got ${describe(v)}`);
    if (v.length > maxItems) fail(path, `more than ${maxItems} items`);
    if (v.length < minItems) fail(path, `fewer than ${minItems} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** Array of distinct values, in the order given. */
export function set<T extends string>(item: Decoder<T>, maxItems: number, minItems = 0): Decoder<T[]> {
  const inner = array(item, maxItems, minItems);
  return (v, path) => {
    const out = inner(v, path);
    if (new Set(out).size !== out.length) fail(path, "repeated item");
    return out;
  };
}

export function nullable<T>(inner: Decoder<T>): Decoder<T | null> {
  return (v, path) => (v === null ? null : inner(v, path));
}

export type Shape = Record<string, Decoder<unknown>>;
export type Decoded<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/**
 * A map with exactly the keys of `shape` (keys whose decoder accepts `undefined` through `optional` may be
 * absent); unknown keys are refused so that one object has one encoding.
 */
export function struct<S extends Shape>(shape: S): Decoder<Decoded<S>> {
  const keys = Object.keys(shape);
  return (v, path) => {
    if (!isMap(v)) fail(path, `expected map, got ${describe(v)}`);
    for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) fail(`${path}.${k}`, "unknown field");
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const dec = shape[k] as Decoder<unknown>;
      const field = v[k];
      if (field === undefined) {
        if ((dec as { optional?: boolean }).optional) continue;
        fail(`${path}.${k}`, "missing field");
      }
      out[k] = dec(field, `${path}.${k}`);
    }
    return out as Decoded<S>;
  };
}

/** Marks a struct field that may be absent. */
export function optional<T>(inner: Decoder<T>): Decoder<T | undefined> {
  const dec: Decoder<T | undefined> = (v, path) => inner(v, path);
  return Object.assign(dec, { optional: true });
}

/** A map with a text discriminator field selecting the decoder of the rest. */
export function tagged<T>(field: string, variants: Record<string, Decoder<T>>): Decoder<T> {
  return (v, path) => {
    if (!isMap(v)) fail(path, `expected map, got ${describe(v)}`);
    const tag = v[field];
    if (typeof tag !== "string" || !Object.hasOwn(variants, tag)) {
      fail(`${path}.${field}`, `expected one of ${Object.keys(variants).join(", ")}`);
    }
    return (variants[tag] as Decoder<T>)(v, path);
  };
}
