import {
  type AccessReceipt,
  type CborValue,
  codec,
  decodeCbor,
  EncodingError,
  encodeCbor,
  fields,
  LIMITS,
} from "@coken/ledger";
import { GatewayError } from "../errors.js";

/** The ledger's receipt schema (docs/spec/ledger.md §8.1), for receipts that arrive from another agency. */
const accessReceipt: codec.Decoder<AccessReceipt> = codec.struct({
  grant: fields.derivedId,
  dataset: fields.datasetId,
  provider: fields.agencyId,
  requester: fields.agencyId,
  queryKind: fields.queryKind,
  requestHash: fields.hash32,
  resultHash: fields.hash32,
  proofHash: fields.hash32,
  nonce: codec.bytes(16),
  time: codec.uint,
});

const receiptList = codec.array(accessReceipt, LIMITS.receiptsPerBatch, 1);

/**
 * What a provider keeps of the signed request behind a receipt, so it can record the receipt on its own
 * (`access.attest`) if the requester does not acknowledge it: the envelope fields the receipt lacks and the
 * requester's signature as it arrived (over the request hash, or over the batch of request hashes holding it).
 */
export interface RequestEvidence {
  queryHash: Uint8Array;
  variablesHash: Uint8Array;
  expiresAt: number;
  signature: Uint8Array;
  batch: Uint8Array | null;
}

/** A receipt as the provider stores it: with the evidence of its request (absent in rows written before it). */
export interface IssuedRecord {
  receipt: AccessReceipt;
  request: RequestEvidence | null;
}

const issuedRecord = codec.struct({
  receipt: accessReceipt,
  request: codec.struct({
    queryHash: fields.hash32,
    variablesHash: fields.hash32,
    expiresAt: codec.uint,
    signature: fields.signature,
    batch: codec.nullable(codec.bytes(undefined, 32 * LIMITS.signedRequests)),
  }),
});

/** Stored bytes of an issued receipt with its request evidence. */
export function encodeIssued(record: { receipt: AccessReceipt; request: RequestEvidence }): Uint8Array {
  return encodeCbor({ receipt: { ...record.receipt }, request: { ...record.request } });
}

/** Parses stored issued-receipt bytes: a record with evidence, or a bare receipt written before evidence was kept. */
export function decodeIssued(bytes: Uint8Array): IssuedRecord {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
    if (codec.isMap(value) && Object.hasOwn(value, "request")) return issuedRecord(value, "issued");
  } catch (e) {
    if (e instanceof EncodingError)
      throw new GatewayError("BAD_USER_INPUT", `malformed stored receipt: ${e.code}`);
    throw e;
  }
  return { receipt: decodeReceipt(bytes), request: null };
}

/** Canonical bytes of one receipt (their tagged hash is the receipt id). */
export function encodeReceipt(r: AccessReceipt): Uint8Array {
  return encodeCbor({ ...r });
}

/** Parses stored or received receipt bytes; `BAD_USER_INPUT` unless exactly one canonical receipt. */
export function decodeReceipt(bytes: Uint8Array): AccessReceipt {
  try {
    return accessReceipt(decodeCbor(bytes), "receipt");
  } catch (e) {
    if (e instanceof EncodingError) throw new GatewayError("BAD_USER_INPUT", `malformed receipt: ${e.code}`);
    throw e;
  }
}

/** A batch's receipts as they travel to the requester for co-signing: base64 of a canonical CBOR array. */
export function encodeReceiptList(receipts: readonly AccessReceipt[]): string {
  return Buffer.from(encodeCbor(receipts.map((r) => ({ ...r })))).toString("base64");
}

/** Parses a co-signing request's receipts; `BAD_USER_INPUT` for anything else. */
export function decodeReceiptList(b64: string): AccessReceipt[] {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new GatewayError("BAD_USER_INPUT", "receipts are not base64");
  try {
    return receiptList(decodeCbor(new Uint8Array(Buffer.from(b64, "base64"))), "receipts");
  } catch (e) {
    if (e instanceof EncodingError) throw new GatewayError("BAD_USER_INPUT", `malformed receipts: ${e.code}`);
    throw e;
  }
}
