import type { FieldSpec } from "@coken/ledger";
import type { ZkQuery, ZkResult } from "../api.js";
import { type CircuitParams, circuitId } from "../circuits.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { decodeSum } from "../commitment/encode.js";
import { rowLeafAt } from "../commitment/rows.js";
import { ZkError } from "../errors.js";
import {
  dec,
  enforceMinGroup,
  fieldSlot,
  type PredicateConstants,
  passes,
  predicateConstants,
} from "./inputs.js";
import { encodeSum } from "./range.js";
import { requestHash } from "./request.js";
import type { ProofTask, RequestContext } from "./task.js";

type FilterQuery = Extract<ZkQuery, { kind: "filter" }>;

/** Default bounded size of the filter circuit. */
export const DEFAULT_FILTER: Required<Pick<CircuitParams, "rows" | "predicates">> = {
  rows: 64,
  predicates: 3,
};

const UNUSED: Omit<PredicateConstants, "slot"> = { useRange: 0n, useEq: 0n, lo: 0n, hi: 0n };

function constants(ctx: RequestContext, query: FilterQuery, predicates: number) {
  if (query.where.length > predicates) {
    throw new ZkError("UNSUPPORTED_QUERY", `at most ${predicates} predicates`, { predicates });
  }
  const preds = query.where.map((p) => predicateConstants(ctx.fields, p));
  while (preds.length < predicates) preds.push({ slot: 0, ...UNUSED });
  let sumSlot = 0;
  let sumType: FieldSpec["type"] | null = null;
  if (query.aggregate === "sum") {
    if (query.sumField === undefined) throw new ZkError("BAD_QUERY", "a filter sum needs sumField");
    sumSlot = fieldSlot(ctx.fields, query.sumField);
    sumType = (ctx.fields[sumSlot] as FieldSpec).type;
    if (sumType !== "int" && sumType !== "decimal" && sumType !== "bool") {
      throw new ZkError("UNSUPPORTED_QUERY", `cannot sum a ${sumType} field`);
    }
  } else if (query.aggregate !== "count") {
    throw new ZkError("BAD_QUERY", "aggregate must be count or sum");
  }
  return { preds, sumSlot, sumType };
}

/**
 * Public signals: count, sum, root, requestHash, slot[P], useRange[P], useEq[P], lo[P], hi[P], sumSlot, useSum,
 * minGroup (unused predicate slots all 0).
 */
export function filterSignals(ctx: RequestContext, query: FilterQuery, result: ZkResult, predicates: number) {
  if (result.kind !== "filter") throw new ZkError("PROOF_INVALID", "a filter query needs a filter result");
  if (!Number.isSafeInteger(result.count) || result.count < 0)
    throw new ZkError("PROOF_INVALID", "bad count");
  const c = constants(ctx, query, predicates);
  let sum = 0n;
  if (c.sumType !== null) {
    if (result.sum === undefined) throw new ZkError("PROOF_INVALID", "a filter sum result needs its sum");
    sum = encodeSum(c.sumType, result.sum, result.count);
  } else if (result.sum !== undefined) {
    throw new ZkError("PROOF_INVALID", "a filter count result has no sum");
  }
  return dec([
    BigInt(result.count),
    sum,
    ctx.root,
    requestHash(ctx.binding, query, ctx.root),
    ...c.preds.map((p) => BigInt(p.slot)),
    ...c.preds.map((p) => p.useRange),
    ...c.preds.map((p) => p.useEq),
    ...c.preds.map((p) => p.lo),
    ...c.preds.map((p) => p.hi),
    BigInt(c.sumSlot),
    c.sumType === null ? 0n : 1n,
    ctx.minGroup,
    ctx.meta,
  ]);
}

/** Witness input and answer of a filter query; CAPACITY unless every row fits the circuit's first block. */
export function buildFilter(
  dataset: CommittedDataset,
  ctx: RequestContext,
  query: FilterQuery,
  size: Required<Pick<CircuitParams, "rows" | "predicates">>,
): ProofTask {
  const c = constants(ctx, query, size.predicates);
  const params = { depth: dataset.depth, fields: dataset.fields.length, ...size };
  const circuit = circuitId("filter", params);
  if (dataset.rowCount + 1 > size.rows) {
    throw new ZkError("CAPACITY", `a filter proof covers at most ${size.rows - 1} rows`, { rows: size.rows });
  }
  const m = dataset.fields.length;
  const present: string[] = [];
  const keys: string[] = [];
  const nextKeys: string[] = [];
  const values: string[][] = [];
  let count = 0;
  let encodedSum = 0n;
  for (let pos = 0; pos < size.rows; pos++) {
    if (pos > dataset.rowCount) {
      present.push("0");
      keys.push("0");
      nextKeys.push("0");
      values.push(new Array<string>(m).fill("0"));
      continue;
    }
    const leaf = rowLeafAt(dataset.rows, pos);
    present.push("1");
    keys.push(leaf.key.toString());
    nextKeys.push(leaf.nextKey.toString());
    values.push(dec(leaf.values));
    if (pos > 0 && c.preds.every((p) => passes(p, leaf.values[p.slot] ?? 0n))) {
      count++;
      encodedSum += leaf.values[c.sumSlot] ?? 0n;
    }
  }
  enforceMinGroup(count, ctx.minGroup);
  const expected: ZkResult =
    c.sumType === null
      ? { kind: "filter", count }
      : { kind: "filter", count, sum: decodeSum(c.sumType, encodedSum, count) };
  const signals = filterSignals(ctx, query, expected, size.predicates);
  const p = size.predicates;
  const slice = (from: number): string[] => signals.slice(from, from + p);
  return {
    circuit,
    input: {
      root: signals[2] as string,
      requestHash: signals[3] as string,
      slot: slice(4),
      useRange: slice(4 + p),
      useEq: slice(4 + 2 * p),
      lo: slice(4 + 3 * p),
      hi: slice(4 + 4 * p),
      sumSlot: signals[4 + 5 * p] as string,
      useSum: signals[5 + 5 * p] as string,
      minGroup: signals[6 + 5 * p] as string,
      present,
      keys,
      nextKeys,
      values,
      indexesTop: dec(dataset.indexesTree.top),
      meta: dataset.meta.toString(),
    },
    expected,
    publicSignals: signals,
  };
}
