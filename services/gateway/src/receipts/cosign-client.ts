import type { AccessReceipt, AgencyId } from "@coken/ledger";
import { fromHex } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import { type SignedTransport, upstreamError } from "../federation/transport.js";
import { encodeReceiptList } from "./codec.js";
import type { CosignOutcome } from "./cosigner.js";

export const COSIGN_DOCUMENT =
  "mutation CokenCosign($receipts: String!) { cosignReceipts(receipts: $receipts) { signature rejected } }";

/**
 * Provider side: asks a requester's `/peer/graphql` to co-sign a batch, over the signed transport (the request
 * is signed by the provider, the response by the requester).
 */
export function cosignOver(
  transport: SignedTransport,
): (requester: AgencyId, receipts: AccessReceipt[]) => Promise<CosignOutcome> {
  return async (requester, receipts) => {
    const upstream = await transport.send(requester, {
      document: COSIGN_DOCUMENT,
      variables: { receipts: encodeReceiptList(receipts) },
      grant: null,
      dataset: null,
    });
    const refused = upstreamError(upstream.result);
    if (refused !== null) throw refused;
    const out = (
      upstream.result.data as { cosignReceipts?: { signature: unknown; rejected: unknown } } | null
    )?.cosignReceipts;
    if (out === undefined || upstream.response === null)
      throw new GatewayError("UNAUTHENTICATED", "unsigned co-signing answer");
    if (typeof out.signature === "string")
      return { signature: new Uint8Array(Buffer.from(out.signature, "base64")) };
    const rejected = Array.isArray(out.rejected)
      ? out.rejected.map((id) => (typeof id === "string" ? fromHex(id) : undefined))
      : [];
    if (rejected.length === 0 || rejected.some((id) => id === undefined || id.length !== 32))
      throw new GatewayError("UPSTREAM_UNAVAILABLE", "malformed co-signing answer");
    return { rejected: rejected as Uint8Array[] };
  };
}
