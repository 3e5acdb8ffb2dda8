import { type Hasher, utf8 } from "@coken/ledger";
import { canonicalJson } from "./canonical-json.js";

/**
 * Tags of the gateway's tagged hashes (H("coken/1/" + tag, …), as the ledger hashes). They are distinct from every
 * ledger tag, so a gateway signature can never stand for a transaction, a vote or a receipt batch.
 */
export const GATEWAY_TAGS = {
  request: "gateway.request",
  response: "gateway.response",
  requestBatch: "gateway.request-batch",
  responseBatch: "gateway.response-batch",
  document: "gateway.document",
  variables: "gateway.variables",
  result: "gateway.result",
  proof: "gateway.proof",
} as const;

/** Hash of the GraphQL document text exactly as sent. */
export function documentHash(h: Hasher, document: string): Uint8Array {
  return h.hash(GATEWAY_TAGS.document, utf8.encode(document));
}

/** Hash of the variables as canonical JSON; absent variables hash as `{}`. */
export function variablesHash(h: Hasher, variables: Record<string, unknown> | null | undefined): Uint8Array {
  return h.hash(GATEWAY_TAGS.variables, utf8.encode(canonicalJson(variables ?? {})));
}

/** Hash of an answer's result (or of a whole `data` object for other operations), as canonical JSON. */
export function resultHash(h: Hasher, result: unknown): Uint8Array {
  return h.hash(GATEWAY_TAGS.result, utf8.encode(canonicalJson(result ?? null)));
}

/** An answer's proof bundle as the canonical JSON text `proofHash` covers (what a provider keeps for auditors). */
export function proofText(proof: unknown): string {
  return canonicalJson(proof ?? null);
}

/** Hash of an answer's proof bundle as canonical JSON; a lookup has no proof and hashes `null`. */
export function proofHash(h: Hasher, proof: unknown): Uint8Array {
  return proofTextHash(h, proofText(proof));
}

/** `proofHash` of a bundle already in its canonical text. */
export function proofTextHash(h: Hasher, text: string): Uint8Array {
  return h.hash(GATEWAY_TAGS.proof, utf8.encode(text));
}
