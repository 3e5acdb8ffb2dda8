import type { FieldSpec } from "@coken/ledger";
import type { Comparison, FieldValue, Predicate } from "../api.js";
import { encodeValue, isNumericType } from "../commitment/encode.js";
import type { MerklePath } from "../commitment/quadtree.js";
import { ZkError } from "../errors.js";

/** Circuit input JSON: decimal strings of field elements, nested as the circuit's signal arrays. */
export type CircuitInput = Record<string, string | string[] | string[][] | string[][][]>;

const MAX_U64 = (1n << 64n) - 1n;

/** Decimal strings of a list of field elements. */
export const dec = (xs: readonly bigint[]): string[] => xs.map((x) => x.toString());

/** The bits and siblings of a Merkle path as circuit inputs. */
export function pathInput(path: MerklePath): { bits: string[]; siblings: string[][] } {
  return { bits: path.bits.map(String), siblings: path.siblings.map((s) => dec(s)) };
}

/** Slot (position in the published field order) of a field; throws BAD_QUERY if there is none. */
export function fieldSlot(fields: readonly FieldSpec[], name: string): number {
  const slot = fields.findIndex((f) => f.name === name);
  if (slot < 0) throw new ZkError("BAD_QUERY", `no field ${name}`, { field: name });
  return slot;
}

/** A predicate as the circuits take it: mode flags and bounds (unused bounds 0). */
export interface PredicateConstants {
  slot: number;
  useRange: bigint;
  useEq: bigint;
  lo: bigint;
  hi: bigint;
}

/** Encodes a predicate against the published fields; ordered comparisons need a numeric field (else UNSUPPORTED_QUERY). */
export function predicateConstants(fields: readonly FieldSpec[], p: Predicate): PredicateConstants {
  const slot = fieldSlot(fields, p.field);
  const type = (fields[slot] as FieldSpec).type;
  const enc = (v: FieldValue | undefined, what: string): bigint => {
    if (v === undefined) throw new ZkError("BAD_QUERY", `${what} is missing`);
    return encodeValue(type, v);
  };
  const op: Comparison = p.op;
  if (op === "eq") return { slot, useRange: 0n, useEq: 1n, lo: enc(p.value, "value"), hi: 0n };
  if (!isNumericType(type)) {
    throw new ZkError("UNSUPPORTED_QUERY", `${op} needs an ordered field; ${p.field} is ${type}`);
  }
  const value = enc(p.value, "value");
  switch (op) {
    case "gte":
      return { slot, useRange: 1n, useEq: 0n, lo: value, hi: MAX_U64 };
    case "lte":
      return { slot, useRange: 1n, useEq: 0n, lo: 0n, hi: value };
    case "range": {
      const hi = enc(p.upper, "upper");
      if (hi < value) throw new ZkError("BAD_QUERY", "range upper bound below lower bound");
      return { slot, useRange: 1n, useEq: 0n, lo: value, hi };
    }
    default:
      throw new ZkError("BAD_QUERY", `unknown comparison ${String(op)}`);
  }
}

/** Whether an encoded value passes encoded predicate constants (what the circuit computes). */
export function passes(c: PredicateConstants, value: bigint): boolean {
  if (c.useEq === 1n) return value === c.lo;
  if (c.useRange === 1n) return c.lo <= value && value <= c.hi;
  return true;
}

/** Checks a minimum group size from policy: an integer in 0..2^20. */
export function checkMinGroup(k: number | undefined): bigint {
  const v = k ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 20) throw new ZkError("BAD_QUERY", "bad minimum group size");
  return BigInt(v);
}

/** Throws GROUP_TOO_SMALL when a non-zero count is below k. */
export function enforceMinGroup(count: number, k: bigint): void {
  if (count !== 0 && BigInt(count) < k) {
    throw new ZkError("GROUP_TOO_SMALL", "the answer concerns fewer rows than the policy allows", {
      k: Number(k),
    });
  }
}
