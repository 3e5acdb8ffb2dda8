import { compareBytes } from "../bytes.js";
import type { Hasher } from "../crypto/hash.js";
import type { Verifier } from "../crypto/signature.js";
import { type CborValue, decodeCbor, encodeCbor } from "../encoding/cbor.js";
import { type Decoder, literal, nullable, struct, uint } from "../encoding/codec.js";
import { EncodingError } from "../encoding/errors.js";
import { agencyId, hash32, signature } from "../encoding/fields.js";
import type { Agency } from "../model.js";
import { type VoteType, voteSignBytes } from "./codec.js";

/** A prevote or precommit; `blockHash` null is a nil vote. Signed over `voteSignBytes`. */
export interface SignedVote {
  type: VoteType;
  height: number;
  round: number;
  blockHash: Uint8Array | null;
  validator: string;
  time: number;
  signature: Uint8Array;
}

/** Two signed votes of one validator for the same (height, round, type) naming different blocks. */
export interface DuplicateVoteEvidence {
  voteA: SignedVote;
  voteB: SignedVote;
}

export const signedVote: Decoder<SignedVote> = struct({
  type: literal("prevote", "precommit"),
  height: uint,
  round: uint,
  blockHash: nullable(hash32),
  validator: agencyId,
  time: uint,
  signature,
});

/** Orders block hashes with nil first, then bytewise; the canonical order of the two votes in evidence. */
export function compareBlockHashes(a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareBytes(a, b);
}

function conflictProblem(a: SignedVote, b: SignedVote): string | null {
  if (a.validator !== b.validator) return "votes of different validators";
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) return "votes of different steps";
  if (compareBlockHashes(a.blockHash, b.blockHash) === 0) return "votes for the same block";
  return null;
}

/**
 * Builds evidence from two conflicting votes in canonical order (voteA names the lower block hash, nil first).
 * Throws RangeError if the votes are not a double vote.
 */
export function duplicateVoteEvidence(x: SignedVote, y: SignedVote): DuplicateVoteEvidence {
  const problem = conflictProblem(x, y);
  if (problem !== null) throw new RangeError(problem);
  return compareBlockHashes(x.blockHash, y.blockHash) < 0 ? { voteA: x, voteB: y } : { voteA: y, voteB: x };
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

/** Parses one evidence item; throws only `EncodingError` (signatures are checked by `checkEvidence`). */
export function decodeEvidence(raw: Uint8Array): DuplicateVoteEvidence {
  return duplicateVote(decodeCbor(raw), "evidence");
}

/** Whether `vote` carries a valid signature of `agency` for `chain`. */
export function verifyVote(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  vote: SignedVote,
  agency: Agency,
): boolean {
  if (agency.id !== vote.validator) return false;
  const { type, height, round, blockHash, time } = vote;
  const message = voteSignBytes(h, { chain, type, height, round, blockHash, time });
  return verifier.verify(agency.keyScheme, agency.publicKey, message, vote.signature);
}

/**
 * Why evidence cannot go into a block at `height`, or null if it can: both votes must be signed by a registered
 * agency, for an earlier height.
 */
export function evidenceProblem(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  evidence: DuplicateVoteEvidence,
  height: number,
  agencyOf: (id: string) => Agency | undefined,
): string | null {
  const { voteA, voteB } = evidence;
  if (voteA.height >= height) return "evidence must concern an earlier height";
  const agency = agencyOf(voteA.validator);
  if (agency === undefined) return `unknown validator ${voteA.validator}`;
  if (!verifyVote(h, verifier, chain, voteA, agency) || !verifyVote(h, verifier, chain, voteB, agency)) {
    return "a vote's signature does not verify";
  }
  return null;
}
