import { readFile } from "node:fs/promises";
import {
  FIELD_TYPES,
  type FieldSpec,
  type FieldType,
  fromHex,
  QUERY_KINDS,
  type QueryKind,
} from "@coken/ledger";
import { type OptionValues, str } from "./command.js";
import { UsageError } from "./commands.js";

// Flag parsers for the tx commands: each turns one flag's text into a typed value or throws a UsageError that
// names the flag and what it expects.

const U64_MAX = (1n << 64n) - 1n;

/** A string flag that must be given. */
export function required(values: OptionValues, name: string, expected: string): string {
  const v = str(values, name);
  if (v === undefined) throw new UsageError(`--${name} is required (${expected})`);
  return v;
}

/** The values of a repeatable string flag (none: []). */
export function many(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

/** A comma-separated list (`a,b,c`); empty items are dropped. */
export function list(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function queryKinds(text: string, flag: string): QueryKind[] {
  const kinds = list(text);
  if (kinds.length === 0) throw new UsageError(`--${flag} needs at least one query kind`);
  for (const k of kinds)
    if (!(QUERY_KINDS as readonly string[]).includes(k))
      throw new UsageError(`--${flag}: "${k}" is not a query kind (one of ${QUERY_KINDS.join(", ")})`);
  return kinds as QueryKind[];
}

/** One of `allowed`, or a UsageError listing them. */
export function oneOf<T extends string>(text: string, flag: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text))
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got "${text}")`);
  return text as T;
}

/** An unsigned 64-bit decimal amount (credits, prices). */
export function u64(text: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text) || BigInt(text) > U64_MAX)
    throw new UsageError(`--${flag} must be a whole number from 0 to ${U64_MAX} (got "${text}")`);
  return BigInt(text);
}

/** An unsigned safe integer. */
export function uint(text: string, flag: string): number {
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`--${flag} must be a whole number (got "${text}")`);
  return Number(text);
}

/** A time as ISO 8601 (`2027-01-01T00:00:00Z`) or milliseconds since the epoch; returns milliseconds. */
export function instant(text: string, flag: string): number {
  if (/^\d{1,16}$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d\d-\d\d(T.*)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0)
    throw new UsageError(`--${flag} must be an ISO 8601 time or milliseconds since 1970 (got "${text}")`);
  return ms;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration like `90m`, `12h`, `30d`, `45s` or `500ms`; returns milliseconds. */
export function duration(text: string, flag: string): number {
  const m = /^(\d{1,12})(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new UsageError(`--${flag} must be a duration such as 30d, 12h, 90m or 45s (got "${text}")`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Hex bytes (a public key, a hash). */
export function hex(text: string, where: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === undefined || text.length === 0) throw new UsageError(`${where} must be hex (got "${text}")`);
  return bytes;
}

/** `name:type[:indexed][:personal]`, e.g. `owner:string:personal` or `area:int:indexed`. */
export function fieldSpec(text: string, flag = "field"): FieldSpec {
  const [name, type, ...marks] = text.split(":");
  const usage = `--${flag} ${text}: expected name:type[:indexed][:personal] with type one of ${FIELD_TYPES.join(", ")}`;
  if (!name || !type || !(FIELD_TYPES as readonly string[]).includes(type)) throw new UsageError(usage);
  for (const mark of marks) if (mark !== "indexed" && mark !== "personal") throw new UsageError(usage);
  return {
    name,
    type: type as FieldType,
    indexed: marks.includes("indexed"),
    personal: marks.includes("personal"),
  };
}

/** Reads a JSON file named by a flag. */
export async function jsonFile(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: not JSON (${(e as Error).message})`);
  }
}

/** Refuses flags that make no sense together with `flag` (e.g. payload flags next to `--file`). */
export function exclusive(values: OptionValues, flag: string, others: readonly string[]): void {
  const given = others.filter((o) => values[o] !== undefined);
  if (values[flag] !== undefined && given.length > 0)
    throw new UsageError(`--${flag} gives the whole payload; drop ${given.map((g) => `--${g}`).join(", ")}`);
}
