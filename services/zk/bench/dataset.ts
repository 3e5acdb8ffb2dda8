import type { FieldSpec } from "@coken/ledger";
import type { DatasetRow } from "../src/commitment/rows.js";

/** A property register: owner id (indexed, sum of area), area, value (indexed, sum of value), date, flag. */
export const FIELDS: FieldSpec[] = [
  { name: "owner", type: "string", indexed: true, personal: true },
  { name: "area", type: "decimal", indexed: false, personal: false },
  { name: "value", type: "int", indexed: true, personal: false },
  { name: "registered", type: "date", indexed: false, personal: false },
  { name: "active", type: "bool", indexed: false, personal: false },
];

export const INDEXES = [
  { field: "owner", sum: "area" },
  { field: "value", sum: "value" },
];

/** `n` deterministic rows; about three parcels per owner. */
export function benchRows(n: number, seed = 11): DatasetRow[] {
  return [...benchRowPages(n, n, seed)].flat();
}

/** The rows of `benchRows(n, seed)` in pages of `size`, generated as they are asked for. */
export function* benchRowPages(n: number, size: number, seed = 11): Generator<DatasetRow[]> {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  const owners = Math.max(1, Math.floor(n / 3));
  let page: DatasetRow[] = [];
  for (let i = 0; i < n; i++) {
    if (page.length === size) {
      yield page;
      page = [];
    }
    page.push({
      key: `parcel-${i}`,
      fields: {
        owner: `person-${next() % owners}`,
        area: `${next() % 500}.${String(next() % 100).padStart(2, "0")}`,
        value: String((next() % 20000) * 100),
        registered: `20${10 + (next() % 15)}-0${1 + (next() % 9)}-1${next() % 10}`,
        active: next() % 3 !== 0,
      },
    });
  }
  if (page.length > 0) yield page;
}
