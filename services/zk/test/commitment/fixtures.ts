import type { FieldSpec } from "@coken/ledger";
import type { DatasetRow } from "../../src/commitment/rows.js";

/** A small property register: owner id (indexed), area (decimal), value (int), registered (date), active (bool). */
export const PROPERTY_FIELDS: FieldSpec[] = [
  { name: "owner", type: "string", indexed: true, personal: true },
  { name: "area", type: "decimal", indexed: false, personal: false },
  { name: "value", type: "int", indexed: true, personal: false },
  { name: "registered", type: "date", indexed: false, personal: false },
  { name: "active", type: "bool", indexed: false, personal: false },
];

/** Deterministic pseudo-random rows (no clock, no Math.random). */
export function propertyRows(n: number, seed = 7): DatasetRow[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  return Array.from({ length: n }, (_, i) => ({
    key: `parcel-${i}`,
    fields: {
      owner: `person-${next() % Math.max(1, Math.floor(n / 3))}`,
      area: `${next() % 500}.${String(next() % 100).padStart(2, "0")}`,
      value: String((next() % 2000) * 1000 - 200_000),
      registered: `20${10 + (next() % 15)}-0${1 + (next() % 9)}-1${next() % 10}`,
      active: next() % 3 !== 0,
    },
  }));
}

/** A copy of the rows in another order. */
export function shuffled<T>(items: readonly T[], seed = 3): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 48271) % 2147483647;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
