import { createHash } from "node:crypto";
import type { VerificationKeyJson } from "./snark.js";

/**
 * Canonical text of a verification key: the snarkjs JSON with `vk_alphabeta_12` dropped (it is derived from α
 * and β), object keys sorted, arrays in order, no whitespace. Every peer that exports the same key gets the same
 * text, whatever snarkjs version or key order produced the file.
 */
export function canonicalVerificationKey(vk: VerificationKeyJson): string {
  const { vk_alphabeta_12: _derived, ...rest } = vk;
  return canonicalJson(rest);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The verifying-key hash listed on the ledger (`DatasetCommitment.verifyingKeys[].hash`):
 * SHA-256("coken.zk.v1/vkey" ‖ 0x00 ‖ UTF-8 canonical verification key), 32 bytes.
 */
export function verificationKeyHash(vk: VerificationKeyJson): Uint8Array {
  const digest = createHash("sha256")
    .update("coken.zk.v1/vkey")
    .update(new Uint8Array([0]))
    .update(canonicalVerificationKey(vk))
    .digest();
  return new Uint8Array(digest);
}
