import { EncodingError } from "./errors.js";

/**
 * The Coken CBOR profile (RFC 8949 §4.2 deterministic encoding with the length-first key order of §4.2.3):
 * unsigned and negative integers up to 64 bits, byte strings, UTF-8 text strings, arrays,
 * maps whose keys are text strings, false, true and null. No tags, floats, undefined or
 * indefinite lengths. Lengths and integers use the shortest form; map keys are sorted by their
 * encoded bytes (shorter first, then bytewise) and never repeat.
 */
export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborValue[] | CborMap;
export interface CborMap {
  [key: string]: CborValue;
}

const MAX_DEPTH = 32;
const U64_MAX = (1n << 64n) - 1n;

class Writer {
  private buf = new Uint8Array(512);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  head(major: number, value: number | bigint): void {
    const m = major << 5;
    if (typeof value === "bigint") {
      if (value <= 0xffffffffn) {
        this.head(major, Number(value));
        return;
      }
      this.ensure(9);
      this.buf[this.length] = m | 27;
      this.view.setBigUint64(this.length + 1, value);
      this.length += 9;
      return;
    }
    if (value < 24) {
      this.ensure(1);
      this.buf[this.length++] = m | value;
    } else if (value < 0x100) {
      this.ensure(2);
      this.buf[this.length++] = m | 24;
      this.buf[this.length++] = value;
    } else if (value < 0x10000) {
      this.ensure(3);
      this.buf[this.length] = m | 25;
      this.view.setUint16(this.length + 1, value);
      this.length += 3;
    } else if (value < 0x100000000) {
      this.ensure(5);
      this.buf[this.length] = m | 26;
      this.view.setUint32(this.length + 1, value);
      this.length += 5;
    } else {
      this.head(major, BigInt(value));
    }
  }

  /** Writes a text string head and its UTF-8 bytes; ASCII is copied without an encoder call. */
  text(v: string): void {
    const n = v.length;
    if (n < 64) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (v.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.head(3, n);
        this.ensure(n);
        for (let i = 0; i < n; i++) this.buf[this.length + i] = v.charCodeAt(i);
        this.length += n;
        return;
      }
    }
    const b = textEncoder.encode(v);
    this.head(3, b.length);
    this.bytes(b);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Drops a buffer grown for one very large value, so it is not held forever. */
  shrink(): void {
    this.length = 0;
    if (this.buf.length > 1 << 20) {
      this.buf = new Uint8Array(512);
      this.view = new DataView(this.buf.buffer);
    }
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const keyCache = new Map<string, Uint8Array>();

function encodedKey(key: string): Uint8Array {
  let k = keyCache.get(key);
  if (k === undefined) {
    const w = new Writer();
    const b = textEncoder.encode(key);
    w.head(3, b.length);
    w.bytes(b);
    k = w.result();
    if (keyCache.size < 4096) keyCache.set(key, k);
  }
  return k;
}

function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function writeValue(w: Writer, v: CborValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new EncodingError("TOO_DEEP", `nesting deeper than ${MAX_DEPTH}`);
  switch (typeof v) {
    case "number":
      if (!Number.isSafeInteger(v)) throw new EncodingError("UNSUPPORTED", `not a safe integer: ${v}`);
      if (v >= 0) w.head(0, v);
      else w.head(1, -1 - v);
      return;
    case "bigint":
      if (v >= 0n) {
        if (v > U64_MAX) throw new EncodingError("TOO_LARGE", "integer above 2^64-1");
        w.head(0, v);
      } else {
        if (-1n - v > U64_MAX) throw new EncodingError("TOO_LARGE", "integer below -2^64");
        w.head(1, -1n - v);
      }
      return;
    case "string":
      w.text(v);
      return;
    case "boolean":
      w.head(7, v ? 21 : 20);
      return;
    case "object":
      if (v === null) {
        w.head(7, 22);
        return;
      }
      if (v instanceof Uint8Array) {
        w.head(2, v.length);
        w.bytes(v);
        return;
      }
      if (Array.isArray(v)) {
        w.head(4, v.length);
        for (const item of v) writeValue(w, item, depth + 1);
        return;
      }
      writeMap(w, v, depth);
      return;
    default:
      throw new EncodingError("UNSUPPORTED", `cannot encode ${typeof v}`);
  }
}

// Objects of one shape (same keys in the same order) share their canonical key order.
interface KeyOrder {
  names: string[];
  order: { key: string; bytes: Uint8Array }[];
}
// Shapes by their first key; a shape matches when its key list is element-wise equal.
const orderCache = new Map<string, KeyOrder[]>();
let cachedShapes = 0;

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keyOrder(names: string[]): KeyOrder["order"] {
  const first = names[0] ?? "";
  const candidates = orderCache.get(first);
  if (candidates !== undefined) {
    for (const c of candidates) if (sameNames(c.names, names)) return c.order;
  }
  const order = names.map((key) => ({ key, bytes: encodedKey(key) }));
  order.sort((a, b) => compareEncodedKeys(a.bytes, b.bytes));
  if (cachedShapes < 4096) {
    cachedShapes++;
    if (candidates === undefined) orderCache.set(first, [{ names, order }]);
    else candidates.push({ names, order });
  }
  return order;
}

function writeMap(w: Writer, m: CborMap, depth: number): void {
  const order = keyOrder(Object.keys(m));
  let present = 0;
  for (const { key } of order) if (m[key] !== undefined) present++; // undefined marks an absent optional field
  w.head(5, present);
  for (const { key, bytes } of order) {
    const value = m[key];
    if (value === undefined) continue;
    w.bytes(bytes);
    writeValue(w, value, depth + 1);
  }
}

/** Encodes a value in the Coken deterministic CBOR profile. Object properties set to `undefined` are omitted. */
// Encoding is synchronous and never re-enters itself, so one growable buffer serves every call.
const shared = new Writer();

export function encodeCbor(value: CborValue): Uint8Array {
  shared.length = 0;
  try {
    writeValue(shared, value, 0);
    return shared.result();
  } finally {
    shared.shrink();
  }
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new EncodingError("TRUNCATED", `input ends at byte ${this.buf.length}`);
  }

  /** Reads an item head; returns major type and argument, refusing non-shortest forms. */
  head(): { major: number; arg: number | bigint; info: number } {
    this.need(1);
    const initial = this.buf[this.pos++] as number;
    const major = initial >> 5;
    const info = initial & 31;
    if (info < 24) return { major, arg: info, info };
    let arg: number | bigint;
    let min: number | bigint;
    switch (info) {
      case 24:
        this.need(1);
        arg = this.buf[this.pos] as number;
        this.pos += 1;
        min = 24;
        break;
      case 25:
        this.need(2);
        arg = this.view.getUint16(this.pos);
        this.pos += 2;
        min = 0x100;
        break;
      case 26:
        this.need(4);
        arg = this.view.getUint32(this.pos);
        this.pos += 4;
        min = 0x10000;
        break;
      case 27:
        this.need(8);
        arg = this.view.getBigUint64(this.pos);
        this.pos += 8;
        min = 0x100000000n;
        break;
      default:
        throw new EncodingError("UNSUPPORTED", `additional info ${info} (indefinite length or reserved)`);
    }
    if (major !== 7 && arg < min)
      throw new EncodingError("NON_CANONICAL", "integer or length not in shortest form");
    return { major, arg, info };
  }

  length(arg: number | bigint): number {
    if (typeof arg === "bigint" || arg > this.buf.length - this.pos) {
      throw new EncodingError("TRUNCATED", "declared length exceeds the input");
    }
    return arg;
  }
}

function readValue(r: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new EncodingError("TOO_DEEP", `nesting deeper than ${MAX_DEPTH}`);
  const { major, arg, info } = r.head();
  switch (major) {
    case 0:
      return typeof arg === "bigint" && arg <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(arg) : arg;
    case 1: {
      const n = -1n - BigInt(arg);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
    }
    case 2: {
      const len = r.length(arg);
      const out = r.buf.slice(r.pos, r.pos + len);
      r.pos += len;
      return out;
    }
    case 3: {
      const len = r.length(arg);
      const bytes = r.buf.subarray(r.pos, r.pos + len);
      r.pos += len;
      try {
        return textDecoder.decode(bytes);
      } catch {
        throw new EncodingError("INVALID_UTF8", "text string is not valid UTF-8");
      }
    }
    case 4: {
      const len = r.length(arg); // every item takes at least one byte
      const out: CborValue[] = [];
      for (let i = 0; i < len; i++) out.push(readValue(r, depth + 1));
      return out;
    }
    case 5: {
      const len = r.length(arg);
      const out: CborMap = Object.create(null);
      let prevKey: Uint8Array | undefined;
      for (let i = 0; i < len; i++) {
        const start = r.pos;
        const key = readValue(r, depth + 1);
        if (typeof key !== "string") throw new EncodingError("UNSUPPORTED", "map key is not a text string");
        const keyBytes = r.buf.subarray(start, r.pos);
        if (prevKey !== undefined && compareEncodedKeys(prevKey, keyBytes) >= 0) {
          throw new EncodingError("NON_CANONICAL", "map keys unsorted or repeated");
        }
        prevKey = keyBytes;
        out[key] = readValue(r, depth + 1);
      }
      return out;
    }
    case 6:
      throw new EncodingError("UNSUPPORTED", "tags are not part of the profile");
    default:
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new EncodingError("UNSUPPORTED", `simple value or float (info ${info})`);
  }
}

/** Decodes exactly one item in the Coken profile; throws only `EncodingError`. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = new Reader(bytes);
  const value = readValue(r, 0);
  if (r.pos !== bytes.length)
    throw new EncodingError("TRAILING_BYTES", `${bytes.length - r.pos} bytes after the item`);
  return value;
}
