import { bytesEqual, type Hasher, type KeyScheme, type Signer, type Verifier } from "@coken/ledger";
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
import { GATEWAY_TAGS } from "./hashes.js";

/**
 * How envelopes travel: in the GraphQL `extensions.coken` member of the request body and of the response body,
 * as `{ envelope, signature }` with both values base64 (the envelope is its canonical CBOR bytes). Envelopes
 * signed together (the operations of one batched HTTP request, or their results) also carry `batch`: the
 * concatenated hashes of every envelope of the batch, and `signature` is then the signature of the batch hash.
 */
export interface WireSigned {
  envelope: string;
  signature: string;
  batch?: string;
}

/** A signature as read off the wire: over the envelope's hash alone, or over a batch of hashes holding it. */
export interface WireSignature {
  signature: Uint8Array;
  /** Concatenated 32-byte hashes of the envelopes signed together; null for an envelope signed alone. */
  batch: Uint8Array | null;
}

type Key = { keyScheme: KeyScheme; publicKey: Uint8Array };

/** Most envelopes one batch signature may cover (a batched HTTP request holds 16 operations by default). */
export const MAX_SIGNED_BATCH = 64;
const HASH_LENGTH = 32;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

function unb64(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string" || value.length > 8192 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new GatewayError("UNAUTHENTICATED", `missing or malformed ${what}`);
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** One signature for all `hashes`: of the hash itself when alone, else of the batch hash of their concatenation. */
function signHashes(h: Hasher, signer: Signer, batchTag: string, hashes: Uint8Array[]): WireSignature[] {
  if (hashes.length === 1) return [{ signature: signer.sign(hashes[0] as Uint8Array), batch: null }];
  if (hashes.length > MAX_SIGNED_BATCH) throw new RangeError("too many envelopes for one batch signature");
  const batch = Buffer.concat(hashes);
  const signature = signer.sign(h.hash(batchTag, batch));
  return hashes.map(() => ({ signature, batch }));
}

function toWire(envelopes: Uint8Array[], signed: WireSignature[]): WireSigned[] {
  return envelopes.map((bytes, i) => {
    const s = signed[i] as WireSignature;
    const wire: WireSigned = { envelope: b64(bytes), signature: b64(s.signature) };
    if (s.batch !== null) wire.batch = b64(s.batch);
    return wire;
  });
}

/** Signs a request envelope with the requesting agency's key. */
export function signRequest(h: Hasher, signer: Signer, r: RequestEnvelope): WireSigned {
  return signRequests(h, signer, [r])[0] as WireSigned;
}

/**
 * Signs the request envelopes of one HTTP request with one signature: `H("gateway.request-batch", hash₁ ‖ … ‖
 * hashₙ)` over their request hashes (a single envelope is signed as with `signRequest`).
 */
export function signRequests(h: Hasher, signer: Signer, rs: RequestEnvelope[]): WireSigned[] {
  return signRequestsHashed(h, signer, rs).wire;
}

/** `signRequests`, handing back the request hashes too (a response echoes its request's hash). */
export function signRequestsHashed(
  h: Hasher,
  signer: Signer,
  rs: RequestEnvelope[],
): { wire: WireSigned[]; hashes: Uint8Array[] } {
  const bytes = rs.map(encodeRequest);
  const hashes = bytes.map((b) => h.hash(GATEWAY_TAGS.request, b));
  return { wire: toWire(bytes, signHashes(h, signer, GATEWAY_TAGS.requestBatch, hashes)), hashes };
}

/** Signs a response envelope with the answering agency's key. */
export function signResponse(h: Hasher, signer: Signer, r: ResponseEnvelope): WireSigned {
  return signResponses(h, signer, [r])[0] as WireSigned;
}

/** Signs the response envelopes of one HTTP response with one signature (see `signRequests`). */
export function signResponses(h: Hasher, signer: Signer, rs: ResponseEnvelope[]): WireSigned[] {
  const bytes = rs.map(encodeResponse);
  const hashes = bytes.map((b) => h.hash(GATEWAY_TAGS.response, b));
  return toWire(bytes, signHashes(h, signer, GATEWAY_TAGS.responseBatch, hashes));
}

/**
 * The envelope, its hash and its signature. The hash is taken of the bytes as received: the decoders accept only
 * the one canonical encoding of an envelope (shortest forms, sorted keys, no unknown fields, no trailing bytes),
 * so those bytes are the ones encoding the decoded envelope gives and the hash is `requestHash`/`responseHash`.
 */
function readSigned<T>(
  h: Hasher,
  wire: unknown,
  what: "request" | "response",
  decode: (bytes: Uint8Array) => T,
) {
  if (typeof wire !== "object" || wire === null)
    throw new GatewayError("UNAUTHENTICATED", `unsigned ${what}`);
  const w = wire as Record<string, unknown>;
  const bytes = unb64(w.envelope, `${what} envelope`);
  const envelope = decode(bytes);
  const hash = h.hash(what === "request" ? GATEWAY_TAGS.request : GATEWAY_TAGS.response, bytes);
  const signature = unb64(w.signature, `${what} signature`);
  let batch: Uint8Array | null = null;
  if (w.batch !== undefined) {
    batch = unb64(w.batch, `${what} batch`);
    if (
      batch.length === 0 ||
      batch.length % HASH_LENGTH !== 0 ||
      batch.length > MAX_SIGNED_BATCH * HASH_LENGTH
    )
      throw new GatewayError("UNAUTHENTICATED", `malformed ${what} batch`);
  }
  return { envelope, hash, signature, batch };
}

/** Reads `extensions.coken` of a request: the envelope, its request hash and its signature, not yet checked. */
export function readSignedRequest(
  h: Hasher,
  wire: unknown,
): { request: RequestEnvelope; hash: Uint8Array } & WireSignature {
  const { envelope, hash, signature, batch } = readSigned(h, wire, "request", decodeRequest);
  return { request: envelope, hash, signature, batch };
}

/** Reads `extensions.coken` of a response: the envelope, its response hash and its signature, not yet checked. */
export function readSignedResponse(
  h: Hasher,
  wire: unknown,
): { response: ResponseEnvelope; hash: Uint8Array } & WireSignature {
  const { envelope, hash, signature, batch } = readSigned(h, wire, "response", decodeResponse);
  return { response: envelope, hash, signature, batch };
}

/**
 * Batch signatures already checked during one HTTP exchange, so the operations (or results) signed together
 * cost one verification. Keep one per exchange: it answers only for the key, batch and signature it checked.
 */
export class CheckedBatches {
  private readonly checked = new Map<string, boolean>();

  verify(verifier: Verifier, key: Key, digest: Uint8Array, signature: Uint8Array): boolean {
    const id = b64(Buffer.concat([key.publicKey, digest, signature])) + key.keyScheme;
    let ok = this.checked.get(id);
    if (ok === undefined) {
      ok = verifier.verify(key.keyScheme, key.publicKey, digest, signature);
      this.checked.set(id, ok);
    }
    return ok;
  }
}

function holds(batch: Uint8Array, hash: Uint8Array): boolean {
  for (let at = 0; at + HASH_LENGTH <= batch.length; at += HASH_LENGTH)
    if (bytesEqual(batch.subarray(at, at + HASH_LENGTH), hash)) return true;
  return false;
}

/** Whether `signed` is the key's signature of `hash`: directly, or of a batch that holds `hash`. */
function covers(
  h: Hasher,
  verifier: Verifier,
  key: Key,
  batchTag: string,
  hash: Uint8Array,
  signed: WireSignature,
  checked?: CheckedBatches,
): boolean {
  if (signed.batch === null) return verifier.verify(key.keyScheme, key.publicKey, hash, signed.signature);
  if (!holds(signed.batch, hash)) return false;
  const digest = h.hash(batchTag, signed.batch);
  return checked
    ? checked.verify(verifier, key, digest, signed.signature)
    : verifier.verify(key.keyScheme, key.publicKey, digest, signed.signature);
}

/** Whether the request is signed by the key, alone or in a batch (`checked` spares repeated batch checks). */
export function requestSignatureValid(
  h: Hasher,
  verifier: Verifier,
  key: Key,
  r: RequestEnvelope,
  signed: WireSignature,
  checked?: CheckedBatches,
): boolean {
  return requestHashSigned(h, verifier, key, requestHash(h, r), signed, checked);
}

/** `requestSignatureValid` for a request whose hash (`requestHash`) the caller already has. */
export function requestHashSigned(
  h: Hasher,
  verifier: Verifier,
  key: Key,
  hash: Uint8Array,
  signed: WireSignature,
  checked?: CheckedBatches,
): boolean {
  return covers(h, verifier, key, GATEWAY_TAGS.requestBatch, hash, signed, checked);
}

/** Whether the response is signed by the key, alone or in a batch (`checked` spares repeated batch checks). */
export function responseSignatureValid(
  h: Hasher,
  verifier: Verifier,
  key: Key,
  r: ResponseEnvelope,
  signed: WireSignature,
  checked?: CheckedBatches,
): boolean {
  return responseHashSigned(h, verifier, key, responseHash(h, r), signed, checked);
}

/** `responseSignatureValid` for a response whose hash (`responseHash`) the caller already has. */
export function responseHashSigned(
  h: Hasher,
  verifier: Verifier,
  key: Key,
  hash: Uint8Array,
  signed: WireSignature,
  checked?: CheckedBatches,
): boolean {
  return covers(h, verifier, key, GATEWAY_TAGS.responseBatch, hash, signed, checked);
}
