import type { FieldSpec } from "@coken/ledger";
import type { ZkQuery, ZkResult } from "../api.js";
import { circuitId } from "../circuits.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { DECIMAL_SCALE, decodeSum, NUMERIC_OFFSET, orderedElement } from "../commitment/encode.js";
import { indexLeafAt, lowerBoundary, upperBoundary } from "../commitment/sorted-index.js";
import { ZkError } from "../errors.js";
import { dec, enforceMinGroup, fieldSlot, pathInput } from "./inputs.js";
import { requestHash } from "./request.js";
import type { ProofTask, RequestContext } from "./task.js";

type RangeQuery = Extract<ZkQuery, { kind: "count" | "sum" }>;

interface RangeConstants {
  fieldTag: bigint;
  sumTag: bigint;
  countOnly: bigint;
  from: bigint;
  to: bigint;
  sumType: FieldSpec["type"] | null;
}

function constants(ctx: RequestContext, query: RangeQuery): RangeConstants {
  if (!ctx.indexedFields.includes(query.field)) {
    throw new ZkError("UNSUPPORTED_QUERY", `${query.field} is not indexed in this commitment`);
  }
  const slot = fieldSlot(ctx.fields, query.field);
  const type = (ctx.fields[slot] as FieldSpec).type;
  const from = orderedElement(type, query.from);
  const to = orderedElement(type, query.to);
  if (from > to) throw new ZkError("BAD_QUERY", "from is above to");
  let sumTag = 0n;
  let sumType: RangeConstants["sumType"] = null;
  if (query.kind === "sum") {
    const sumSlot = fieldSlot(ctx.fields, query.sumField);
    sumType = (ctx.fields[sumSlot] as FieldSpec).type;
    if (sumType !== "int" && sumType !== "decimal" && sumType !== "bool") {
      throw new ZkError("UNSUPPORTED_QUERY", `cannot sum a ${sumType} field`);
    }
    sumTag = BigInt(sumSlot + 1);
  }
  const countOnly = query.kind === "count" ? 1n : 0n;
  return { fieldTag: BigInt(slot + 1), sumTag, countOnly, from, to, sumType };
}

/** The encoded sum (what the circuit outputs) of a decoded sum over `count` rows. */
export function encodeSum(type: FieldSpec["type"], sum: string, count: number): bigint {
  if (type === "bool") {
    if (!/^\d+$/.test(sum)) throw new ZkError("PROOF_INVALID", "a bool sum is a count");
    return BigInt(sum);
  }
  // sums may exceed the 64-bit range of single values, so parse without that bound
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(sum);
  const frac = m?.[3] ?? "";
  const scale = type === "decimal" ? DECIMAL_SCALE : 0;
  if (m === null || frac.length > scale || (type !== "int" && type !== "decimal")) {
    throw new ZkError("PROOF_INVALID", `not a ${type} sum`);
  }
  const magnitude = BigInt(m[2] ?? "0") * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, "0") || "0");
  return (m[1] === "-" ? -magnitude : magnitude) + BigInt(count) * NUMERIC_OFFSET;
}

/** Public signals: count, sum, root, requestHash, fieldTag, sumTag, countOnly, from, to, minGroup, meta. */
export function rangeSignals(ctx: RequestContext, query: RangeQuery, result: ZkResult): string[] {
  const c = constants(ctx, query);
  let sum = 0n;
  if (result.kind === "sum" && query.kind === "sum" && c.sumType !== null) {
    sum = encodeSum(c.sumType, result.sum, result.count);
  } else if (result.kind !== "count" || query.kind !== "count") {
    throw new ZkError("PROOF_INVALID", `a ${query.kind} query needs a ${query.kind} result`);
  }
  if (!Number.isSafeInteger(result.count) || result.count < 0)
    throw new ZkError("PROOF_INVALID", "bad count");
  const rh = requestHash(ctx.binding, query, ctx.root);
  return dec([
    BigInt(result.count),
    sum,
    ctx.root,
    rh,
    c.fieldTag,
    c.sumTag,
    c.countOnly,
    c.from,
    c.to,
    ctx.minGroup,
    ctx.meta,
  ]);
}

/** Witness input and answer of a COUNT or SUM over a range of an indexed field. */
export function buildRange(dataset: CommittedDataset, ctx: RequestContext, query: RangeQuery): ProofTask {
  const c = constants(ctx, query);
  const position = dataset.indexes.findIndex(
    (ix) => BigInt(ix.fieldTag) === c.fieldTag && (c.countOnly === 1n || BigInt(ix.sumTag) === c.sumTag),
  );
  const index = dataset.indexes[position];
  if (index === undefined) throw new ZkError("UNSUPPORTED_QUERY", "no index keeps that sum");
  const lower = lowerBoundary(index, c.from);
  const upper = upperBoundary(index, c.to);
  const count = upper - lower;
  enforceMinGroup(count, ctx.minGroup);
  const low = indexLeafAt(index, lower);
  const high = indexLeafAt(index, upper);
  const encodedSum = high.prefix - low.prefix;
  const expected: ZkResult =
    query.kind === "count"
      ? { kind: "count", count }
      : { kind: "sum", count, sum: decodeSum(c.sumType ?? "int", encodedSum, count) };
  const signals = rangeSignals(ctx, query, expected);
  const entry = pathInput(dataset.indexesTree.path(position));
  const lowPath = pathInput(index.tree.path(lower));
  const highPath = pathInput(index.tree.path(upper));
  return {
    circuit: circuitId("range", { depth: dataset.depth }),
    input: {
      root: signals[2] as string,
      requestHash: signals[3] as string,
      fieldTag: c.fieldTag.toString(),
      sumTag: c.sumTag.toString(),
      countOnly: c.countOnly.toString(),
      from: c.from.toString(),
      to: c.to.toString(),
      minGroup: ctx.minGroup.toString(),
      rowTop: dec(dataset.rows.tree.top),
      meta: dataset.meta.toString(),
      entrySumTag: String(index.sumTag),
      entryBits: entry.bits,
      entrySiblings: entry.siblings,
      lowValue: low.value.toString(),
      lowNext: low.next.toString(),
      lowPrefix: low.prefix.toString(),
      lowBits: lowPath.bits,
      lowSiblings: lowPath.siblings,
      highValue: high.value.toString(),
      highNext: high.next.toString(),
      highPrefix: high.prefix.toString(),
      highBits: highPath.bits,
      highSiblings: highPath.siblings,
    },
    expected,
    publicSignals: signals,
  };
}
