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

function readSigned<T>(wire: unknown, what: "request" | "response", decode: (bytes: Uint8Array) => T) {
  if (typeof wire !== "object" || wire === null)
    throw new GatewayError("UNAUTHENTICATED", `unsigned ${what}`);
  const w = wire as Record<string, unknown>;
  const envelope = decode(unb64(w.envelope, `${what} envelope`));
  return { envelope, signature: unb64(w.signature, `${what} signature`) };
}

/** Reads `extensions.coken` of a request: the envelope and its signature bytes, not yet checked. */
export function readSignedRequest(wire: unknown): { request: RequestEnvelope; signature: Uint8Array } {
  const { envelope, signature } = readSigned(wire, "request", decodeRequest);
  return { request: envelope, signature };
}

/** Reads `extensions.coken` of a response: the envelope and its signature bytes, not yet checked. */
export function readSignedResponse(wire: unknown): { response: ResponseEnvelope; signature: Uint8Array } {
  const { envelope, signature } = readSigned(wire, "response", decodeResponse);
  return { response: envelope, signature };
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
