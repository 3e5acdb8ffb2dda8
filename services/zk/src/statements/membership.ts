import type { ZkQuery, ZkResult } from "../api.js";
import { circuitId } from "../circuits.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { keyElement } from "../commitment/encode.js";
import { valuesDigest } from "../commitment/poseidon.js";
import { locateKey, rowLeafAt } from "../commitment/rows.js";
import { ZkError } from "../errors.js";
import { dec, pathInput } from "./inputs.js";
import { requestHash } from "./request.js";
import type { ProofTask, RequestContext } from "./task.js";

type MembershipQuery = Extract<ZkQuery, { kind: "membership" }>;

/** Public signals of a membership proof: member, root, requestHash, key, meta. */
export function membershipSignals(ctx: RequestContext, query: MembershipQuery, result: ZkResult): string[] {
  if (result.kind !== "membership") throw new ZkError("PROOF_INVALID", "a membership query needs its result");
  return dec([
    result.member ? 1n : 0n,
    ctx.root,
    requestHash(ctx.binding, query, ctx.root),
    keyElement(query.key),
    ctx.meta,
  ]);
}

/** Witness input and answer of a membership query: the leaf holding the key, or the one straddling it. */
export function buildMembership(
  dataset: CommittedDataset,
  ctx: RequestContext,
  query: MembershipQuery,
): ProofTask {
  const key = keyElement(query.key);
  const at = locateKey(dataset.rows, key);
  const leaf = rowLeafAt(dataset.rows, at.position);
  const expected: ZkResult = { kind: "membership", member: at.found };
  const signals = membershipSignals(ctx, query, expected);
  const path = pathInput(dataset.rows.tree.path(at.position));
  return {
    circuit: circuitId("membership", { depth: dataset.depth }),
    input: {
      root: signals[1] as string,
      requestHash: signals[2] as string,
      key: key.toString(),
      leafKey: leaf.key.toString(),
      nextKey: leaf.nextKey.toString(),
      digest: valuesDigest(leaf.values).toString(),
      pathBits: path.bits,
      siblings: path.siblings,
      indexesTop: dec(dataset.indexesTree.top),
      meta: dataset.meta.toString(),
    },
    expected,
    publicSignals: signals,
  };
}
