import { bytesEqual } from "../bytes.js";
import type { Hasher } from "../crypto/hash.js";
import type { Verifier } from "../crypto/signature.js";
import type { Agency, Validator } from "../model.js";
import { voteSignBytes } from "./codec.js";
import type { CommitCertificate } from "./types.js";

export type CommitCheck =
  | { ok: true; power: number; total: number }
  | {
      ok: false;
      reason: "WRONG_BLOCK" | "UNKNOWN_VALIDATOR" | "DUPLICATE_VALIDATOR" | "BAD_SIGNATURE" | "NO_QUORUM";
    };

/**
 * Verifies a commit certificate for `blockHash` at `height` against a validator set: every signature must be a
 * valid precommit from a distinct member, and together they must hold more than 2/3 of the total power.
 */
export function verifyCommit(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  cert: CommitCertificate,
  expected: { height: number; blockHash: Uint8Array },
  validators: readonly Validator[],
  agencyOf: (id: string) => Agency | undefined,
): CommitCheck {
  if (cert.height !== expected.height || !bytesEqual(cert.blockHash, expected.blockHash)) {
    return { ok: false, reason: "WRONG_BLOCK" };
  }
  const powers = new Map(validators.map((v) => [v.agency, v.power]));
  let total = 0;
  for (const p of powers.values()) total += p;
  const seen = new Set<string>();
  let power = 0;
  for (const s of cert.signatures) {
    const p = powers.get(s.validator);
    const agency = agencyOf(s.validator);
    if (p === undefined || agency === undefined) return { ok: false, reason: "UNKNOWN_VALIDATOR" };
    if (seen.has(s.validator)) return { ok: false, reason: "DUPLICATE_VALIDATOR" };
    seen.add(s.validator);
    const msg = voteSignBytes(h, {
      chain,
      type: "precommit",
      height: cert.height,
      round: cert.round,
      blockHash: cert.blockHash,
      time: s.time,
    });
    if (!verifier.verify(agency.keyScheme, agency.publicKey, msg, s.signature))
      return { ok: false, reason: "BAD_SIGNATURE" };
    power += p;
  }
  if (power * 3 <= total * 2) return { ok: false, reason: "NO_QUORUM" };
  return { ok: true, power, total };
}
