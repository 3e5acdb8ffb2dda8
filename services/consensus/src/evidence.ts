import type { Hasher, Verifier } from "@coken/ledger";
import { compareBlockHashes } from "./codec/evidence.js";
import { verifyVoteSignature } from "./sign.js";
import type { DuplicateVoteEvidence, ValidatorInfo } from "./types.js";

export type EvidenceCheck =
  | { ok: true }
  | { ok: false; reason: "NOT_CONFLICTING" | "UNKNOWN_VALIDATOR" | "BAD_SIGNATURE" };

/**
 * Checks duplicate-vote evidence against the validator set of its height: two votes of one validator for the same
 * (height, round, type) naming different blocks, both signed by that validator for `chain`.
 */
export function verifyEvidence(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  evidence: DuplicateVoteEvidence,
  validators: readonly ValidatorInfo[],
): EvidenceCheck {
  const { voteA, voteB } = evidence;
  const sameStep =
    voteA.validator === voteB.validator &&
    voteA.height === voteB.height &&
    voteA.round === voteB.round &&
    voteA.type === voteB.type;
  if (!sameStep || compareBlockHashes(voteA.blockHash, voteB.blockHash) === 0) {
    return { ok: false, reason: "NOT_CONFLICTING" };
  }
  const info = validators.find((v) => v.agency === voteA.validator);
  if (info === undefined) return { ok: false, reason: "UNKNOWN_VALIDATOR" };
  for (const vote of [voteA, voteB]) {
    if (!verifyVoteSignature(h, verifier, chain, vote, info)) return { ok: false, reason: "BAD_SIGNATURE" };
  }
  return { ok: true };
}
