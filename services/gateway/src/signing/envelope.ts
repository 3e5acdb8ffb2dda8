import {
  codec,
  decodeCbor,
  EncodingError,
  encodeCbor,
  encodeRequestEnvelope,
  fields,
  type Hasher,
  type RequestEnvelope,
  requestEnvelopeHash,
} from "@coken/ledger";
import { GatewayError } from "../errors.js";
import { GATEWAY_TAGS } from "./hashes.js";

/**
 * What a calling agency signs for one GraphQL request to another agency's `/peer/graphql` (defined with the ledger,
 * which checks it behind attested receipts). For a dataset call, `grant` and `dataset` name what is asked; for
 * other operations (receipt co-signing, stitched reads) both are null.
 */
export type { RequestEnvelope };

/**
 * What the answering agency signs back: the request it answered and the hashes of what it returned. `receiptId`
 * is the id of the access receipt for a dataset answer, null for other operations.
 */
export interface ResponseEnvelope {
  requestHash: Uint8Array;
  resultHash: Uint8Array;
  proofHash: Uint8Array;
  receiptId: Uint8Array | null;
  time: number;
}

export const NONCE_LENGTH = 16;

const requestDecoder = codec.struct({
  requester: fields.agencyId,
  provider: fields.agencyId,
  grant: codec.nullable(fields.derivedId),
  dataset: codec.nullable(fields.datasetId),
  queryHash: fields.hash32,
  variablesHash: fields.hash32,
  nonce: codec.bytes(NONCE_LENGTH),
  time: codec.uint,
  expiresAt: codec.uint,
});

const responseDecoder = codec.struct({
  requestHash: fields.hash32,
  resultHash: fields.hash32,
  proofHash: fields.hash32,
  receiptId: codec.nullable(fields.hash32),
  time: codec.uint,
});

/** Canonical bytes of a request envelope (what travels and what is hashed). */
export function encodeRequest(r: RequestEnvelope): Uint8Array {
  return encodeRequestEnvelope(r);
}

/** Canonical bytes of a response envelope. */
export function encodeResponse(r: ResponseEnvelope): Uint8Array {
  return encodeCbor({ ...r });
}

function decodeWith<T>(decoder: codec.Decoder<T>, bytes: Uint8Array, what: string): T {
  try {
    return decoder(decodeCbor(bytes), what);
  } catch (e) {
    if (e instanceof EncodingError) throw new GatewayError("BAD_USER_INPUT", `malformed ${what}: ${e.code}`);
    throw e;
  }
}

/** Parses request envelope bytes; anything but one canonical envelope is a `BAD_USER_INPUT`. */
export function decodeRequest(bytes: Uint8Array): RequestEnvelope {
  return decodeWith(requestDecoder, bytes, "request");
}

/** Parses response envelope bytes; anything but one canonical envelope is a `BAD_USER_INPUT`. */
export function decodeResponse(bytes: Uint8Array): ResponseEnvelope {
  return decodeWith(responseDecoder, bytes, "response");
}

/** The request hash: what the requester signs and what the access receipt's `requestHash` holds. */
export function requestHash(h: Hasher, r: RequestEnvelope): Uint8Array {
  return requestEnvelopeHash(h, r);
}

/** The response hash: what the provider signs. */
export function responseHash(h: Hasher, r: ResponseEnvelope): Uint8Array {
  return h.hash(GATEWAY_TAGS.response, encodeResponse(r));
}
