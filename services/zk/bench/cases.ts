import type { ZkQuery } from "../src/api.js";
import type { DatasetRow } from "../src/commitment/rows.js";
import type { CircuitSpec } from "../src/setup/build.js";
import { FIELDS } from "./dataset.js";

/** Full-size trees: 2^20 − 1 rows at most. */
export const DEPTH = 20;
/** The filter circuit's block: 16 leaves (15 rows), 2 predicates. */
export const FILTER = { rows: 16, predicates: 2 };

/** The circuits the bench proves with. */
export const SPECS: CircuitSpec[] = [
  { name: "threshold", params: { depth: DEPTH, fields: FIELDS.length } },
  { name: "membership", params: { depth: DEPTH } },
  { name: "range", params: { depth: DEPTH } },
  { name: "filter", params: { depth: DEPTH, fields: FIELDS.length, ...FILTER } },
];

export interface BenchCase {
  label: string;
  /** Whether the query runs on the small dataset (the filter circuit scans a bounded block of rows). */
  small: boolean;
  query: ZkQuery;
}

/** One query per circuit about `row` of the dataset (and its owner). */
export function benchCases(row: DatasetRow): BenchCase[] {
  const owner = String(row.fields.owner);
  return [
    {
      label: "threshold (value ≥ X)",
      small: false,
      query: { kind: "threshold", key: row.key, field: "value", op: "gte", value: 500_000 },
    },
    { label: "membership", small: false, query: { kind: "membership", key: row.key } },
    {
      label: "COUNT (parcels of one owner)",
      small: false,
      query: { kind: "count", field: "owner", from: owner, to: owner },
    },
    {
      label: "SUM (value over a range)",
      small: false,
      query: { kind: "sum", field: "value", from: 100_000, to: 900_000, sumField: "value" },
    },
    {
      label: `filter scan (${FILTER.rows - 1} rows, 2 predicates)`,
      small: true,
      query: {
        kind: "filter",
        where: [
          { field: "registered", op: "gte", value: "2015-01-01" },
          { field: "active", op: "eq", value: true },
        ],
        aggregate: "count",
      },
    },
  ];
}
