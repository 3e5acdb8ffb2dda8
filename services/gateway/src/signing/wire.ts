import type { Hasher, KeyScheme, Signer, Verifier } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type RequestEnvelope,
  type ResponseEnvelope,
  requestHash,
  responseHash,
} from "./envelope.js";

/**
 * How envelopes travel: in the GraphQL `extensions.coken` member of the request body and of the response body,
 * as `{ envelope, signature }` with both values base64 (the envelope is its canonical CBOR bytes).
 */
export interface WireSigned {
  envelope: string;
  signature: string;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

function unb64(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string" || value.length > 8192 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new GatewayError("UNAUTHENTICATED", `missing or malformed ${what}`);
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** Signs a request envelope with the requesting agency's key. */
export function signRequest(h: Hasher, signer: Signer, r: RequestEnvelope): WireSigned {
  return { envelope: b64(encodeRequest(r)), signature: b64(signer.sign(requestHash(h, r))) };
}

/** Signs a response envelope with the answering agency's key. */
export function signResponse(h: Hasher, signer: Signer, r: ResponseEnvelope): WireSigned {
  return { envelope: b64(encodeResponse(r)), signature: b64(signer.sign(responseHash(h, r))) };
}

/** Reads `extensions.coken` of a request: the envelope and its signature bytes, not yet checked. */
export function readSignedRequest(wire: unknown): { request: RequestEnvelope; signature: Uint8Array } {
  if (typeof wire !== "object" || wire === null)
    throw new GatewayError("UNAUTHENTICATED", "unsigned request");
  const w = wire as Record<string, unknown>;
  const request = decodeRequest(unb64(w.envelope, "request envelope"));
  return { request, signature: unb64(w.signature, "request signature") };
}

/** Reads `extensions.coken` of a response: the envelope and its signature bytes, not yet checked. */
export function readSignedResponse(wire: unknown): { response: ResponseEnvelope; signature: Uint8Array } {
  if (typeof wire !== "object" || wire === null)
    throw new GatewayError("UNAUTHENTICATED", "unsigned response");
  const w = wire as Record<string, unknown>;
  const response = decodeResponse(unb64(w.envelope, "response envelope"));
  return { response, signature: unb64(w.signature, "response signature") };
}

/** Whether `signature` is the agency key's signature of the request. */
export function requestSignatureValid(
  h: Hasher,
  verifier: Verifier,
  key: { keyScheme: KeyScheme; publicKey: Uint8Array },
  r: RequestEnvelope,
  signature: Uint8Array,
): boolean {
  return verifier.verify(key.keyScheme, key.publicKey, requestHash(h, r), signature);
}

/** Whether `signature` is the agency key's signature of the response. */
export function responseSignatureValid(
  h: Hasher,
  verifier: Verifier,
  key: { keyScheme: KeyScheme; publicKey: Uint8Array },
  r: ResponseEnvelope,
  signature: Uint8Array,
): boolean {
  return verifier.verify(key.keyScheme, key.publicKey, responseHash(h, r), signature);
}
