import type { ZkQuery, ZkResult } from "../api.js";
import { circuitId } from "../circuits.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { keyElement } from "../commitment/encode.js";
import { locateKey, rowLeafAt } from "../commitment/rows.js";
import { ZkError } from "../errors.js";
import { dec, fieldSlot, type PredicateConstants, passes, pathInput, predicateConstants } from "./inputs.js";
import { requestHash } from "./request.js";
import type { ProofTask, RequestContext } from "./task.js";

type ThresholdQuery = Extract<ZkQuery, { kind: "threshold" }>;

function constants(ctx: RequestContext, query: ThresholdQuery): { key: bigint; pred: PredicateConstants } {
  return { key: keyElement(query.key), pred: predicateConstants(ctx.fields, query) };
}

/** Public signals of a threshold proof: holds, root, requestHash, key, slot, useRange, useEq, lo, hi, meta. */
export function thresholdSignals(ctx: RequestContext, query: ThresholdQuery, result: ZkResult): string[] {
  if (result.kind !== "threshold")
    throw new ZkError("PROOF_INVALID", "a threshold query needs a threshold result");
  const { key, pred } = constants(ctx, query);
  const rh = requestHash(ctx.binding, query, ctx.root);
  return dec([
    result.holds ? 1n : 0n,
    ctx.root,
    rh,
    key,
    BigInt(pred.slot),
    pred.useRange,
    pred.useEq,
    pred.lo,
    pred.hi,
    ctx.meta,
  ]);
}

/** Witness input and answer of a threshold query; NOT_COMMITTED when no row has the key. */
export function buildThreshold(
  dataset: CommittedDataset,
  ctx: RequestContext,
  query: ThresholdQuery,
): ProofTask {
  const { key, pred } = constants(ctx, query);
  fieldSlot(ctx.fields, query.field);
  const at = locateKey(dataset.rows, key);
  if (!at.found) throw new ZkError("NOT_COMMITTED", "no committed row has that key");
  const leaf = rowLeafAt(dataset.rows, at.position);
  const value = leaf.values[pred.slot] ?? 0n;
  const expected: ZkResult = { kind: "threshold", holds: passes(pred, value) };
  const path = pathInput(dataset.rows.tree.path(at.position));
  const signals = thresholdSignals(ctx, query, expected);
  return {
    circuit: circuitId("threshold", { depth: dataset.depth, fields: dataset.fields.length }),
    input: {
      root: signals[1] as string,
      requestHash: signals[2] as string,
      key: key.toString(),
      slot: String(pred.slot),
      useRange: pred.useRange.toString(),
      useEq: pred.useEq.toString(),
      lo: pred.lo.toString(),
      hi: pred.hi.toString(),
      nextKey: leaf.nextKey.toString(),
      values: dec(leaf.values),
      pathBits: path.bits,
      siblings: path.siblings,
      indexesTop: dec(dataset.indexesTree.top),
      meta: dataset.meta.toString(),
    },
    expected,
    publicSignals: signals,
  };
}
