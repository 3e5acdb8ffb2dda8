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

export interface CosignComponents {
  self: AgencyId;
  signer: Signer;
  hasher: Hasher;
  calls: Pick<GatewayRepository, "getCalls" | "markCosigned">;
}

export type CosignOutcome = { signature: Uint8Array } | { rejected: Uint8Array[] };

/**
 * Requester side: signs a provider's batch of receipts only if every receipt is one of a call this agency made
 * to that provider and verified (its call log holds the same receipt id, so the same content). Otherwise signs
 * nothing and names the receipts it does not recognise, so the provider can set them aside.
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
  if (rejected.length > 0) return { rejected };
  const signature = signReceiptBatch(c.hasher, c.signer, provider, c.self, receipts);
  await c.calls.markCosigned(ids);
  return { signature };
}
