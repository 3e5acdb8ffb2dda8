import type { Predicate, ProofBinding, ZkQuery } from "../api.js";
import { idElement, taggedHash } from "../commitment/encode.js";
import { bytesToBigint, checkFieldElement } from "../commitment/field.js";
import { poseidon } from "../commitment/poseidon.js";
import { ZkError } from "../errors.js";

const predicateParts = (p: Predicate): unknown[] => [p.field, p.op, p.value, p.upper ?? null];

/** The canonical form of a query that its hash covers: a fixed-order JSON array per kind. */
export function canonicalQuery(query: ZkQuery): string {
  switch (query.kind) {
    case "threshold":
      return JSON.stringify(["threshold", query.key, ...predicateParts(query)]);
    case "membership":
      return JSON.stringify(["membership", query.key]);
    case "count":
      return JSON.stringify(["count", query.field, query.from, query.to]);
    case "sum":
      return JSON.stringify(["sum", query.field, query.from, query.to, query.sumField]);
    case "filter":
      return JSON.stringify([
        "filter",
        query.where.map(predicateParts),
        query.aggregate,
        query.sumField ?? null,
      ]);
  }
}

/** The query parameters hash: 248 bits of SHA-256("coken.zk.v1/query" ‖ 0 ‖ canonical query). */
export function queryHash(query: ZkQuery): bigint {
  return taggedHash("query", new TextEncoder().encode(canonicalQuery(query)), 31);
}

/** Checks a binding from outside: 16-byte nonce, an agency id, a non-negative integer expiry. */
export function checkBinding(binding: ProofBinding): void {
  if (!(binding.nonce instanceof Uint8Array) || binding.nonce.length !== 16) {
    throw new ZkError("BAD_QUERY", "the nonce must be 16 bytes");
  }
  if (typeof binding.requester !== "string" || binding.requester.length === 0) {
    throw new ZkError("BAD_QUERY", "the requester must be an agency id");
  }
  if (!Number.isSafeInteger(binding.expiresAt) || binding.expiresAt < 0) {
    throw new ZkError("BAD_QUERY", "expiresAt must be a non-negative integer of milliseconds");
  }
}

/**
 * requestHash = Poseidon(nonce, requester, queryHash, root, expiresAt): nonce as a 128-bit big-endian integer,
 * requester as the 248-bit tagged hash of its agency id, root the commitment root as a field element.
 */
export function requestHash(binding: ProofBinding, query: ZkQuery, root: bigint): bigint {
  checkBinding(binding);
  checkFieldElement(root, "root");
  return poseidon([
    bytesToBigint(binding.nonce),
    idElement("requester", binding.requester),
    queryHash(query),
    root,
    BigInt(binding.expiresAt),
  ]);
}
