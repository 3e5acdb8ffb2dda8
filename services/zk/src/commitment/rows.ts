import type { FieldSpec } from "@coken/ledger";
import { ZkError } from "../errors.js";
import { type HashSteps, hashBatch, runSteps } from "./batch.js";
import { encodeValue, keyElement, ORDER_HIGH, ORDER_LOW, type RowValue } from "./encode.js";
import { PackedFields, PackedValues } from "./packed.js";
import { poseidon, valuesDigest } from "./poseidon.js";
import { type QuadTree, quadTreeSteps } from "./quadtree.js";

/** One row as the owner holds it: a unique key and a value for every field of the dataset. */
export interface DatasetRow {
  key: string;
  fields: Record<string, RowValue>;
}

/** A committed row leaf's contents: its key, the next key in order, and its encoded values. */
export interface RowLeaf {
  key: bigint;
  nextKey: bigint;
  values: bigint[];
}

/** Leaf of the row tree: Poseidon(key, nextKey, valuesDigest(values)). */
export function rowLeafHash(leaf: RowLeaf): bigint {
  return poseidon([leaf.key, leaf.nextKey, valuesDigest(leaf.values)]);
}

/**
 * Rows sorted by key element in a 4-ary tree: position 0 is the low sentinel (key 0, values 0), position i
 * holds the i-th row; each leaf also carries the next key (2^128 + 1 after the last row), so one opening proves
 * membership (key = K) or non-membership (key < K < nextKey).
 */
export interface RowTable {
  tree: QuadTree;
  /** Sorted key elements; keys.at(0) is the sentinel. */
  keys: PackedFields;
  /** Input index of the row at each position: order[i − 1] for position i (position 0 is the sentinel). */
  order: Uint32Array;
  values: PackedValues;
  fieldCount: number;
}

/** Encodes and sorts rows and builds the row tree; throws FIELD_ENCODING on a bad, missing or duplicate value. */
export function buildRowTable(
  depth: number,
  fields: readonly FieldSpec[],
  rows: readonly DatasetRow[],
): RowTable {
  return runSteps(rowTableSteps(depth, fields, rows));
}

/** The steps of `buildRowTable`: encoding and sorting in place, then batches of digests, leaves and nodes. */
export function* rowTableSteps(
  depth: number,
  fields: readonly FieldSpec[],
  rows: readonly DatasetRow[],
): HashSteps<RowTable> {
  const table = encodeRows(fields, rows);
  const count = table.keys.length;
  const m = table.fieldCount;
  // position 0 is the sentinel: all values 0
  const valueAt = (pos: number, j: number): bigint => (pos === 0 ? 0n : table.values.get((pos - 1) * m + j));
  const digests = yield* digestSteps(m, count, valueAt);
  const inputs: bigint[] = new Array(3 * count);
  for (let pos = 0; pos < count; pos++) {
    inputs[3 * pos] = table.keys.at(pos) ?? 0n;
    inputs[3 * pos + 1] = table.keys.at(pos + 1) ?? ORDER_HIGH;
    inputs[3 * pos + 2] = digests[pos] ?? 0n;
  }
  const leaves = yield* hashBatch(3, inputs);
  return { ...table, tree: yield* quadTreeSteps(depth, leaves) };
}

/** valuesDigest of `count` rows of m values, as batches (chunks of 16 first when m > 16). */
function* digestSteps(
  m: number,
  count: number,
  valueAt: (row: number, j: number) => bigint,
): HashSteps<bigint[]> {
  if (m === 0) return new Array<bigint>(count).fill(0n);
  const chunkDigests: bigint[][] = [];
  const chunks =
    m <= 16
      ? [[0, m]]
      : Array.from({ length: Math.ceil(m / 16) }, (_, c) => [16 * c, Math.min(m, 16 * c + 16)]);
  for (const [from = 0, to = 0] of chunks) {
    const width = to - from;
    const inputs: bigint[] = new Array(width * count);
    for (let r = 0; r < count; r++)
      for (let j = 0; j < width; j++) inputs[r * width + j] = valueAt(r, from + j);
    chunkDigests.push(yield* hashBatch(width, inputs));
  }
  if (m <= 16) return chunkDigests[0] ?? [];
  const c = chunkDigests.length;
  const inputs: bigint[] = new Array(c * count);
  for (let r = 0; r < count; r++) for (let k = 0; k < c; k++) inputs[r * c + k] = chunkDigests[k]?.[r] ?? 0n;
  return yield* hashBatch(c, inputs);
}

function encodeRows(fields: readonly FieldSpec[], rows: readonly DatasetRow[]): Omit<RowTable, "tree"> {
  const n = rows.length;
  const m = fields.length;
  const names = new Set(fields.map((f) => f.name));
  const rowKeys = rows.map((row, i) => {
    for (const name of Object.keys(row.fields)) {
      if (!names.has(name))
        throw new ZkError("FIELD_ENCODING", `row ${i} has an unknown field ${name}`, { row: i });
    }
    return keyElement(row.key);
  });
  const order = Uint32Array.from(rows.keys()).sort((a, b) => {
    const d = (rowKeys[a] ?? 0n) - (rowKeys[b] ?? 0n);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  const keys: bigint[] = [ORDER_LOW];
  const values = new PackedValues(n * m);
  order.forEach((src, i) => {
    const key = rowKeys[src] ?? 0n;
    if (key === keys[keys.length - 1]) throw new ZkError("FIELD_ENCODING", `duplicate row key (row ${src})`);
    keys.push(key);
    const row = rows[src];
    fields.forEach((f, j) => {
      const v = row?.fields[f.name];
      if (v === undefined || v === null) {
        throw new ZkError("FIELD_ENCODING", `row ${src} has no value for ${f.name}`, {
          row: src,
          field: f.name,
        });
      }
      values.set(i * m + j, encodeValue(f.type, v));
    });
  });
  return { keys: PackedFields.from(keys), order, values, fieldCount: m };
}

/** The contents of the row leaf at a position (0 = sentinel). */
export function rowLeafAt(table: Omit<RowTable, "tree">, position: number): RowLeaf {
  const key = table.keys.at(position);
  if (key === undefined) throw new ZkError("CAPACITY", `no row at position ${position}`);
  const nextKey = table.keys.at(position + 1) ?? ORDER_HIGH;
  if (position === 0) return { key, nextKey, values: new Array<bigint>(table.fieldCount).fill(0n) };
  const base = (position - 1) * table.fieldCount;
  const values = Array.from({ length: table.fieldCount }, (_, j) => table.values.get(base + j));
  return { key, nextKey, values };
}

/** The position whose leaf covers key element `k`: the largest key ≤ k (found when equal). */
export function locateKey(table: Pick<RowTable, "keys">, k: bigint): { position: number; found: boolean } {
  let lo = 0;
  let hi = table.keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((table.keys.at(mid) ?? 0n) <= k) lo = mid;
    else hi = mid - 1;
  }
  return { position: lo, found: table.keys.at(lo) === k };
}
