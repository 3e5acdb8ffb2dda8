import type { Hasher } from "../crypto/hash.js";
import { encodeCbor } from "../encoding/cbor.js";
import type { AgencyId, DatasetId, GrantId } from "../model.js";

/**
 * What a calling agency signs for one request to another agency's gateway (docs/spec/gateway.md §3). The ledger
 * knows it because an attested receipt (`access.attest`) is backed by the requester's signature over it.
 */
export interface RequestEnvelope {
  requester: AgencyId;
  provider: AgencyId;
  grant: GrantId | null;
  dataset: DatasetId | null;
  queryHash: Uint8Array;
  variablesHash: Uint8Array;
  nonce: Uint8Array;
  /** Request time, ms, by the requester's clock. */
  time: number;
  /** The request is void at and after this time. */
  expiresAt: number;
}

export const REQUEST_TAGS = { request: "gateway.request", requestBatch: "gateway.request-batch" } as const;

/** Canonical bytes of a request envelope. */
export function encodeRequestEnvelope(r: RequestEnvelope): Uint8Array {
  return encodeCbor({ ...r });
}

/** H("gateway.request", cbor(envelope)): what the requester signs, and a receipt's `requestHash`. */
export function requestEnvelopeHash(h: Hasher, r: RequestEnvelope): Uint8Array {
  return h.hash(REQUEST_TAGS.request, encodeRequestEnvelope(r));
}

/** H("gateway.request-batch", h₁ ‖ … ‖ hₙ): what the requester signs once for the operations of one HTTP request. */
export function requestBatchHash(h: Hasher, concatenated: Uint8Array): Uint8Array {
  return h.hash(REQUEST_TAGS.requestBatch, concatenated);
}
