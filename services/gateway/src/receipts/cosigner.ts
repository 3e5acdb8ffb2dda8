import {
  type AccessReceipt,
  type AgencyId,
  type Hasher,
  receiptId,
  type Signer,
  signReceiptBatch,
  toHex,
} from "@coken/ledger";
import type { GatewayRepository } from "@coken/store";
import { GatewayError } from "../errors.js";

export interface CosignComponents {
  self: AgencyId;
  signer: Signer;
  hasher: Hasher;
  calls: Pick<GatewayRepository, "getCalls" | "markCosigned">;
  now(): number;
  /**
   * How long after its request time a call may still be in flight here (answered but its proof or log not yet
   * done): the longest request lifetime. Unknown receipts younger than this are not refused, only deferred.
   */
  inFlightMs: number;
}

export type CosignOutcome = { signature: Uint8Array } | { rejected: Uint8Array[] };

/**
 * Requester side: signs a provider's batch of receipts only if every receipt is one of a call this agency made
 * to that provider and verified (its call log holds the same receipt id, so the same content). Otherwise signs
 * nothing and names the receipts it does not recognise, so the provider can set them aside. A receipt of a call
 * that may still be in flight here (its proof being checked, its log being written) is not refused: the whole
 * batch is deferred with UPSTREAM_UNAVAILABLE, and the provider asks again later.
 */
export async function cosignBatch(
  c: CosignComponents,
  provider: AgencyId,
  receipts: readonly AccessReceipt[],
): Promise<CosignOutcome> {
  const ids = receipts.map((r) => receiptId(c.hasher, r));
  const known = new Map(
    (await c.calls.getCalls(ids))
      .filter((call) => call.provider === provider)
      .map((call) => [toHex(call.receiptId), call]),
  );
  const seen = new Set<string>();
  const rejected: Uint8Array[] = [];
  receipts.forEach((r, i) => {
    const id = ids[i] as Uint8Array;
    const hex = toHex(id);
    if (r.requester !== c.self || r.provider !== provider || !known.has(hex) || seen.has(hex))
      rejected.push(id);
    seen.add(hex);
  });
  if (rejected.length > 0) {
    const young = receipts.some(
      (r, i) => !known.has(toHex(ids[i] as Uint8Array)) && r.time + c.inFlightMs > c.now(),
    );
    if (young)
      throw new GatewayError(
        "UPSTREAM_UNAVAILABLE",
        "some receipts are of calls still in flight here: ask again later",
      );
    return { rejected };
  }
  const signature = signReceiptBatch(c.hasher, c.signer, provider, c.self, receipts);
  await c.calls.markCosigned(ids);
  return { signature };
}
