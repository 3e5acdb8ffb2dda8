import { createHash } from "node:crypto";
import type { FieldType } from "@coken/ledger";
import type { FieldValue } from "../api.js";
import { ZkError } from "../errors.js";
import { bytesToBigint } from "./field.js";

/** A row value as given to the commitment: a query `FieldValue`, or raw bytes for `bytes` fields. */
export type RowValue = FieldValue | Uint8Array;

/** Added to signed integers (int, decimal, date) so that they encode as unsigned 64-bit values. */
export const NUMERIC_OFFSET = 1n << 63n;
/** Bits of every numeric encoding; ordered comparisons in circuits are range-checked to this width. */
export const NUMERIC_BITS = 64;
/** Decimals are fixed-point integers with this many fractional digits. */
export const DECIMAL_SCALE = 6;
/** Bits of the hashed encodings of strings, bytes and keys. */
export const HASH_BITS = 128;
/** Ordered elements (row keys, index values) are encodings + 1, so that 0 and 2^128 + 1 are free sentinels. */
export const ORDER_LOW = 0n;
export const ORDER_HIGH = (1n << 128n) + 1n;
/** Comparison width of ordered elements in circuits. */
export const ORDER_BITS = 129;

const SCALE = 10n ** BigInt(DECIMAL_SCALE);
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

/** First `bytes` bytes of SHA-256(tag ‖ 0x00 ‖ data) as an integer: strings, bytes, keys and identifiers. */
export function taggedHash(tag: string, data: Uint8Array, bytes: number): bigint {
  const h = createHash("sha256")
    .update(`coken.zk.v1/${tag}`)
    .update(new Uint8Array([0]))
    .update(data)
    .digest();
  return bytesToBigint(h.subarray(0, bytes));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The ordered element of a row key: 1 + 128-bit tagged hash of its UTF-8 bytes. */
export function keyElement(key: string): bigint {
  if (typeof key !== "string" || key.length === 0) {
    throw new ZkError("FIELD_ENCODING", "a row key must be a non-empty string");
  }
  return 1n + taggedHash("key", utf8(key), HASH_BITS / 8);
}

/** A 248-bit identifier element (requester, field name): tagged hash, always a canonical field element. */
export function idElement(tag: string, id: string): bigint {
  return taggedHash(tag, utf8(id), 31);
}

const bad = (type: FieldType, why: string): never => {
  throw new ZkError("FIELD_ENCODING", `${type} value ${why}`, { type });
};

function parseInteger(type: FieldType, v: RowValue): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?(0|[1-9]\d{0,19})$/.test(v)) return BigInt(v);
  return bad(type, "is not an integer");
}

function parseDecimal(v: RowValue): bigint {
  const text = typeof v === "number" && Number.isFinite(v) ? String(v) : v;
  const m = typeof text === "string" ? /^(-?)(0|[1-9]\d{0,18})(?:\.(\d+))?$/.exec(text) : null;
  if (m === null) return bad("decimal", "is not a plain decimal number");
  const frac = m[3] ?? "";
  if (frac.length > DECIMAL_SCALE) bad("decimal", `has more than ${DECIMAL_SCALE} fractional digits`);
  const scaled = BigInt(m[2] ?? "0") * SCALE + BigInt(frac.padEnd(DECIMAL_SCALE, "0"));
  return m[1] === "-" ? -scaled : scaled;
}

function parseDate(v: RowValue): bigint {
  const m = typeof v === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (m === null) return bad("date", "is not YYYY-MM-DD");
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    bad("date", "is not a calendar date");
  }
  return BigInt(Math.round(ms / 86_400_000));
}

function parseBytes(v: RowValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" && /^0x([0-9a-fA-F]{2})*$/.test(v))
    return Uint8Array.from(Buffer.from(v.slice(2), "hex"));
  return bad("bytes", "is neither bytes nor 0x-hex");
}

/** The signed integer a numeric value stands for (decimals scaled by 10^DECIMAL_SCALE, dates in days). */
export function numericValue(type: FieldType, v: RowValue): bigint {
  let n: bigint;
  switch (type) {
    case "int":
      n = parseInteger(type, v);
      break;
    case "decimal":
      n = parseDecimal(v);
      break;
    case "date":
      n = parseDate(v);
      break;
    case "bool":
      if (typeof v !== "boolean") bad(type, "is not a boolean");
      return v ? 1n : 0n;
    default:
      return bad(type, "is not numeric");
  }
  if (n < MIN_I64 || n > MAX_I64) bad(type, "is outside the signed 64-bit range");
  return n;
}

/** True for types with an order (ordered comparisons and sums); strings and bytes only compare for equality. */
export function isNumericType(type: FieldType): boolean {
  return type === "int" || type === "decimal" || type === "date" || type === "bool";
}

/** The field element of a value of a field type (docs/spec/zk.md §Field encodings); throws FIELD_ENCODING. */
export function encodeValue(type: FieldType, v: RowValue): bigint {
  switch (type) {
    case "string":
      if (typeof v !== "string") return bad(type, "is not a string");
      return taggedHash("string", utf8(v), HASH_BITS / 8);
    case "bytes":
      return taggedHash("bytes", parseBytes(v), HASH_BITS / 8);
    case "bool":
      return numericValue(type, v);
    default:
      return numericValue(type, v) + NUMERIC_OFFSET;
  }
}

/** The ordered element of a value (its encoding + 1), as index trees sort and compare it. */
export function orderedElement(type: FieldType, v: RowValue): bigint {
  return encodeValue(type, v) + 1n;
}

/** The number a sum of `count` encoded values stands for, as a decimal string (decimals with their point). */
export function decodeSum(type: FieldType, encodedSum: bigint, count: number): string {
  if (type === "bool") return encodedSum.toString();
  if (type !== "int" && type !== "decimal") {
    throw new ZkError("UNSUPPORTED_QUERY", `cannot sum a ${type} field`);
  }
  const real = encodedSum - BigInt(count) * NUMERIC_OFFSET;
  if (type === "int") return real.toString();
  const neg = real < 0n;
  const abs = neg ? -real : real;
  const frac = (abs % SCALE).toString().padStart(DECIMAL_SCALE, "0").replace(/0+$/, "");
  const whole = (abs / SCALE).toString();
  return `${neg ? "-" : ""}${whole}${frac === "" ? "" : `.${frac}`}`;
}
