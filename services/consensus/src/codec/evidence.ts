import { type CborValue, compareBytes, decodeCbor, EncodingError, encodeCbor } from "@coken/ledger";
import type { DuplicateVoteEvidence, SignedVote } from "../types.js";
import { type Decoder, literal, struct } from "./combinators.js";
import { signedVote } from "./messages.js";

/** Orders block hashes with nil first, then bytewise; the canonical order of the two votes in evidence. */
export function compareBlockHashes(a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareBytes(a, b);
}

/**
 * Builds evidence from two conflicting votes in canonical order (voteA names the lower block hash, nil first).
 * Throws RangeError if the votes are not a double vote: same validator, height, round and type, different blocks.
 */
export function duplicateVoteEvidence(x: SignedVote, y: SignedVote): DuplicateVoteEvidence {
  const problem = conflictProblem(x, y);
  if (problem !== null) throw new RangeError(problem);
  return compareBlockHashes(x.blockHash, y.blockHash) < 0 ? { voteA: x, voteB: y } : { voteA: y, voteB: x };
}

function conflictProblem(a: SignedVote, b: SignedVote): string | null {
  if (a.validator !== b.validator) return "votes of different validators";
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) return "votes of different steps";
  if (compareBlockHashes(a.blockHash, b.blockHash) === 0) return "votes for the same block";
  return null;
}

const evidenceShape = struct({ kind: literal("duplicateVote"), voteA: signedVote, voteB: signedVote });

/** Decoder of canonical evidence: a well-formed double vote with voteA's block hash below voteB's. */
export const duplicateVote: Decoder<DuplicateVoteEvidence> = (v, path) => {
  const { voteA, voteB } = evidenceShape(v, path);
  const problem = conflictProblem(voteA, voteB);
  if (problem !== null) throw new EncodingError("SCHEMA", problem, path);
  if (compareBlockHashes(voteA.blockHash, voteB.blockHash) > 0) {
    throw new EncodingError("SCHEMA", "votes not in canonical order", path);
  }
  return { voteA, voteB };
};

/** `cbor({kind: "duplicateVote", voteA, voteB})`: one item of `block.evidence`. */
export function encodeEvidence(evidence: DuplicateVoteEvidence): Uint8Array {
  const { voteA, voteB } = evidence;
  return encodeCbor({ kind: "duplicateVote", voteA, voteB } as unknown as CborValue);
}

/** Parses one evidence item; throws only `EncodingError` (signatures are checked by `verifyEvidence`). */
export function decodeEvidence(raw: Uint8Array): DuplicateVoteEvidence {
  return duplicateVote(decodeCbor(raw), "evidence");
}
