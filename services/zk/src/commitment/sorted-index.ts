import type { FieldSpec } from "@coken/ledger";
import { ZkError } from "../errors.js";
import { type HashSteps, hashBatch, runSteps } from "./batch.js";
import { ORDER_HIGH, ORDER_LOW } from "./encode.js";
import { PackedFields } from "./packed.js";
import { poseidon } from "./poseidon.js";
import { type QuadTree, quadTreeSteps } from "./quadtree.js";
import type { RowTable } from "./rows.js";

/** What an index is built over: a field to sort by and optionally a numeric field to keep prefix sums of. */
export interface IndexSpec {
  field: string;
  sum?: string;
}

/** Leaf q of a sorted index: the q-th and (q+1)-th ordered values and the sum over the first q rows. */
export interface IndexLeaf {
  value: bigint;
  next: bigint;
  prefix: bigint;
}

/** Leaf of an index tree: Poseidon(value_q, value_q+1, prefix_q). */
export function indexLeafHash(leaf: IndexLeaf): bigint {
  return poseidon([leaf.value, leaf.next, leaf.prefix]);
}

/**
 * Entry of the indexes tree: Poseidon(fieldSlot + 1, sumSlot + 1 or 0, the four children of the index tree's
 * top node). The range circuit opens two leaves of one index; both paths end in these children, so hashing
 * them here instead of the index root saves hashing the root twice (docs/spec/zk.md §4).
 */
export function indexEntryHash(fieldTag: number, sumTag: number, top: readonly bigint[]): bigint {
  return poseidon([BigInt(fieldTag), BigInt(sumTag), ...top]);
}

/**
 * A sorted index over one field: ordered values w_1..w_n (ties broken by row key) between the sentinels
 * w_0 = 0 and w_{n+1} = 2^128 + 1, and prefix sums P_q of the sum field (encoded) over the first q rows.
 * Leaf q = (w_q, w_{q+1}, P_q) sits at position q = 0..n. Rows with from ≤ w ≤ to are the positions
 * lower+1..upper where leaf `lower` straddles `from` (w_q < from ≤ w_q+1) and leaf `upper` straddles `to`
 * (w_q ≤ to < w_q+1): count = upper − lower, sum = P_upper − P_lower.
 */
export interface SortedIndex {
  spec: IndexSpec;
  fieldTag: number;
  sumTag: number;
  tree: QuadTree;
  /** w_0..w_{n+1}. */
  ordered: PackedFields;
  /** P_0..P_n. */
  prefix: PackedFields;
}

/** Builds the sorted index of `spec` over a row table (values already encoded there). */
export function buildSortedIndex(
  depth: number,
  fields: readonly FieldSpec[],
  table: RowTable,
  spec: IndexSpec,
): SortedIndex {
  return runSteps(sortedIndexSteps(depth, fields, table, spec));
}

/** The steps of `buildSortedIndex`: sorting in this thread, then a batch of leaves and one per tree level. */
export function* sortedIndexSteps(
  depth: number,
  fields: readonly FieldSpec[],
  table: RowTable,
  spec: IndexSpec,
): HashSteps<SortedIndex> {
  const slot = fields.findIndex((f) => f.name === spec.field);
  const sumSlot = spec.sum === undefined ? -1 : fields.findIndex((f) => f.name === spec.sum);
  if (slot < 0 || (spec.sum !== undefined && sumSlot < 0)) {
    throw new ZkError("BAD_QUERY", `index names an unknown field`, { index: spec });
  }
  const m = table.fieldCount;
  const n = table.keys.length - 1;
  // sort on plain arrays, then keep the packed form
  const values = Array.from({ length: n }, (_, i) => table.values.get(i * m + slot) + 1n);
  const keys = Array.from({ length: n }, (_, i) => table.keys.at(i + 1) ?? 0n);
  const byValue = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const va = values[a] ?? 0n;
    const vb = values[b] ?? 0n;
    if (va !== vb) return va < vb ? -1 : 1;
    return (keys[a] ?? 0n) < (keys[b] ?? 0n) ? -1 : 1;
  });
  const ordered: bigint[] = [ORDER_LOW];
  const prefix: bigint[] = [0n];
  let running = 0n;
  for (const i of byValue) {
    ordered.push(values[i] ?? 0n);
    running += sumSlot < 0 ? 0n : table.values.get(i * m + sumSlot);
    prefix.push(running);
  }
  ordered.push(ORDER_HIGH);
  const inputs: bigint[] = new Array(3 * prefix.length);
  for (let q = 0; q < prefix.length; q++) {
    inputs[3 * q] = ordered[q] ?? 0n;
    inputs[3 * q + 1] = ordered[q + 1] ?? 0n;
    inputs[3 * q + 2] = prefix[q] ?? 0n;
  }
  const leaves = yield* hashBatch(3, inputs);
  const tree = yield* quadTreeSteps(depth, leaves);
  return {
    spec,
    fieldTag: slot + 1,
    sumTag: sumSlot + 1,
    tree,
    ordered: PackedFields.from(ordered),
    prefix: PackedFields.from(prefix),
  };
}

/** The contents of index leaf q. */
export function indexLeafAt(index: Pick<SortedIndex, "ordered" | "prefix">, q: number): IndexLeaf {
  const value = index.ordered.at(q);
  const next = index.ordered.at(q + 1);
  const prefix = index.prefix.at(q);
  if (value === undefined || next === undefined || prefix === undefined) {
    throw new ZkError("CAPACITY", `no index leaf at ${q}`);
  }
  return { value, next, prefix };
}

/** Leaf position straddling `from` (w_q < from ≤ w_q+1), for an ordered element from ≥ 1. */
export function lowerBoundary(index: Pick<SortedIndex, "ordered">, from: bigint): number {
  return lastBelow(index.ordered, (w) => w < from);
}

/** Leaf position straddling `to` (w_q ≤ to < w_q+1), for an ordered element to ≤ 2^128. */
export function upperBoundary(index: Pick<SortedIndex, "ordered">, to: bigint): number {
  return lastBelow(index.ordered, (w) => w <= to);
}

// Largest q with pred(w_q); w_0 satisfies every predicate used here and w_{n+1} none.
function lastBelow(ordered: PackedFields, pred: (w: bigint) => boolean): number {
  let lo = 0;
  let hi = ordered.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pred(ordered.at(mid) ?? 0n)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
