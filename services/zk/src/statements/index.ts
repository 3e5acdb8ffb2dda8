import type { ExpectedAnswer, ProofBinding, ZkQuery, ZkResult } from "../api.js";
import { parseCircuitId } from "../circuits.js";
import { type CommittedDataset, SCHEME_VERSION, schemeDepth } from "../commitment/dataset.js";
import { decodeSum } from "../commitment/encode.js";
import { bytes32ToField, parseFieldElement } from "../commitment/field.js";
import { poseidon } from "../commitment/poseidon.js";
import { ZkError } from "../errors.js";
import { buildFilter, DEFAULT_FILTER, filterSignals } from "./filter.js";
import { checkMinGroup, fieldSlot } from "./inputs.js";
import { buildMembership, membershipSignals } from "./membership.js";
import { checkQueryShape } from "./query-shape.js";
import { buildRange, rangeSignals } from "./range.js";
import { checkBinding } from "./request.js";
import type { ProofTask, RequestContext, StatementOptions } from "./task.js";
import { buildThreshold, thresholdSignals } from "./threshold.js";

/**
 * Builds the witness input, the answer and the public signals of one query over a committed dataset.
 * Throws ZkError (BAD_QUERY, UNSUPPORTED_QUERY, NOT_COMMITTED, FIELD_ENCODING, CAPACITY, GROUP_TOO_SMALL).
 */
export function buildInput(
  dataset: CommittedDataset,
  query: ZkQuery,
  binding: ProofBinding,
  options: StatementOptions = {},
): ProofTask {
  checkQueryShape(query);
  checkBinding(binding);
  const ctx: RequestContext = {
    root: dataset.root,
    depth: dataset.depth,
    fields: dataset.fields,
    indexedFields: [...new Set(dataset.indexes.map((ix) => ix.spec.field))],
    query,
    binding,
    minGroup: checkMinGroup(options.minGroupSize),
    meta: dataset.meta,
  };
  switch (query.kind) {
    case "threshold":
      return buildThreshold(dataset, ctx, query);
    case "membership":
      return buildMembership(dataset, ctx, query);
    case "count":
    case "sum":
      return buildRange(dataset, ctx, query);
    case "filter":
      return buildFilter(dataset, ctx, query, { ...DEFAULT_FILTER, ...options.filter });
    default:
      throw new ZkError("BAD_QUERY", "unknown query kind");
  }
}

/**
 * meta of the commitment in force, from the ledger's rowCount and the schema digest of its verified
 * well-formedness record; NOT_WELL_FORMED when there is no record for exactly this commitment.
 */
function metaOf(expected: ExpectedAnswer, root: bigint, depth: number): bigint {
  const wf = expected.wellFormed;
  if (
    wf === undefined ||
    bytes32ToField(wf.root, "verified root") !== root ||
    wf.rowCount !== expected.commitment.rowCount ||
    wf.depth !== depth
  )
    throw new ZkError("NOT_WELL_FORMED", "the commitment has no verified well-formedness evidence");
  return poseidon([BigInt(SCHEME_VERSION), BigInt(depth), BigInt(wf.rowCount), wf.schemaDigest]);
}

function contextOf(expected: ExpectedAnswer, unprovenMeta?: bigint): RequestContext {
  checkQueryShape(expected.query);
  checkBinding(expected.binding);
  const root = bytes32ToField(expected.commitment.root, "commitment root");
  const depth = schemeDepth(expected.commitment.scheme);
  return {
    meta: unprovenMeta ?? metaOf(expected, root, depth),
    root,
    depth,
    fields: expected.fields,
    indexedFields: expected.commitment.indexedFields,
    query: expected.query,
    binding: expected.binding,
    minGroup: checkMinGroup(expected.minGroupSize),
  };
}

/**
 * The exact public signals a valid proof of `result` must carry for this request, with the circuit the proof
 * names. A proof for another request, requester, nonce, expiry, dataset, commitment version, policy k or a
 * different result has different signals. Throws PROOF_INVALID when the circuit cannot prove this query, and
 * NOT_WELL_FORMED when `expected` has no verified well-formedness record for its commitment — unless
 * `unprovenMeta` is given (development only: meta then comes from the proof and binds nothing).
 */
export function publicSignalsFor(
  expected: ExpectedAnswer,
  result: ZkResult,
  circuit: string,
  unprovenMeta?: bigint,
): string[] {
  const ctx = contextOf(expected, unprovenMeta);
  const { def, params } = parseCircuitId(circuit);
  const query = expected.query;
  if (!def.queryKinds.includes(query.kind) || params.depth !== ctx.depth) {
    throw new ZkError("PROOF_INVALID", `circuit ${circuit} does not prove this query`, { circuit });
  }
  if (params.fields !== undefined && params.fields !== ctx.fields.length) {
    throw new ZkError("PROOF_INVALID", `circuit ${circuit} is for another field count`, { circuit });
  }
  switch (query.kind) {
    case "threshold":
      return thresholdSignals(ctx, query, result);
    case "membership":
      return membershipSignals(ctx, query, result);
    case "count":
    case "sum":
      return rangeSignals(ctx, query, result);
    case "filter":
      return filterSignals(ctx, query, result, params.predicates ?? 0);
    default:
      throw new ZkError("BAD_QUERY", "unknown query kind");
  }
}

/** Reads the answer out of a proof's public signals (outputs come first); throws PROOF_INVALID. */
export function resultFromSignals(
  expected: Pick<ExpectedAnswer, "fields" | "query">,
  signals: string[],
): ZkResult {
  const out = (i: number): bigint => parseFieldElement(signals[i] ?? "", `public signal ${i}`);
  const bit = (i: number): boolean => {
    const v = out(i);
    if (v > 1n) throw new ZkError("PROOF_INVALID", "a boolean output is not 0 or 1");
    return v === 1n;
  };
  const count = (): number => {
    const v = out(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZkError("PROOF_INVALID", "count out of range");
    return Number(v);
  };
  const sumOf = (field: string, n: number): string => {
    const spec = expected.fields[fieldSlot(expected.fields, field)];
    return decodeSum(spec?.type ?? "string", out(1), n);
  };
  const q = expected.query;
  switch (q.kind) {
    case "threshold":
      return { kind: "threshold", holds: bit(0) };
    case "membership":
      return { kind: "membership", member: bit(0) };
    case "count":
      return { kind: "count", count: count() };
    case "sum":
      return { kind: "sum", count: count(), sum: sumOf(q.sumField, count()) };
    case "filter":
      return q.aggregate === "sum" && q.sumField !== undefined
        ? { kind: "filter", count: count(), sum: sumOf(q.sumField, count()) }
        : { kind: "filter", count: count() };
    default:
      throw new ZkError("BAD_QUERY", "unknown query kind");
  }
}

export { DEFAULT_FILTER } from "./filter.js";
export type { CircuitInput } from "./inputs.js";
export { checkQueryShape } from "./query-shape.js";
export { canonicalQuery, queryHash, requestHash } from "./request.js";
export type { ProofTask, StatementOptions } from "./task.js";
