import { type AgencyId, bytesEqual, toHex } from "@coken/ledger";
import type { SignedVote } from "./types.js";

/**
 * The votes of one type in one round of one height. A validator's first vote counts once in `total` (the power
 * that voted at all). A second vote for a different value is a double vote: it stays out of `total` and is
 * reported as evidence, but still counts for its own value, as in the paper, where 2f+1 messages for id(v) are
 * counted by distinct sender per value (CometBFT does the same once a peer claims +2/3 for that block). Without
 * this, honest nodes that received a double voter's two votes in different orders could never agree that a POL
 * exists. Quorum intersection keeps it safe: two quorums for different values share more than 1/3 of the power,
 * hence an honest validator, which never votes twice. Further votes of an equivocator are ignored. Immutable.
 */
export interface VoteSet {
  /** First vote of each validator. */
  readonly votes: ReadonlyMap<AgencyId, SignedVote>;
  /** The second, conflicting vote of each equivocator. */
  readonly conflicting: ReadonlyMap<AgencyId, SignedVote>;
  /** Power per voted value (`voteKey`), each validator at most once per value. */
  readonly power: ReadonlyMap<string, number>;
  /** Power of the validators that voted, each once, whatever the value. */
  readonly total: number;
}

/** A vote set with no votes. */
export const EMPTY_VOTE_SET: VoteSet = {
  votes: new Map(),
  conflicting: new Map(),
  power: new Map(),
  total: 0,
};

/** The tally key of a voted value: the block hash in hex, or "nil". */
export function voteKey(blockHash: Uint8Array | null): string {
  return blockHash === null ? "nil" : toHex(blockHash);
}

function sameValue(a: SignedVote, b: SignedVote): boolean {
  return a.blockHash === null || b.blockHash === null
    ? a.blockHash === b.blockHash
    : bytesEqual(a.blockHash, b.blockHash);
}

/** How a vote relates to a set, decided before its signature is checked. */
export type VoteClass =
  /** First vote of this validator here. */
  | { kind: "new" }
  /** A value this validator already voted for here (a resend, or the same block at another time). */
  | { kind: "duplicate" }
  /** A second value: a double vote, to be reported with `existing`. */
  | { kind: "conflict"; existing: SignedVote }
  /** A third value from a known equivocator: ignored. */
  | { kind: "excess" };

/** Classifies `vote` against the set without changing it. */
export function classifyVote(set: VoteSet, vote: SignedVote): VoteClass {
  const existing = set.votes.get(vote.validator);
  if (existing === undefined) return { kind: "new" };
  if (sameValue(existing, vote)) return { kind: "duplicate" };
  const second = set.conflicting.get(vote.validator);
  if (second === undefined) return { kind: "conflict", existing };
  return sameValue(second, vote) ? { kind: "duplicate" } : { kind: "excess" };
}

function addPower(power: ReadonlyMap<string, number>, key: string, delta: number): Map<string, number> {
  const next = new Map(power);
  const value = (next.get(key) ?? 0) + delta;
  if (value > 0) next.set(key, value);
  else next.delete(key);
  return next;
}

/** Counts a validator's first vote; the caller classified it as "new" and checked its signature. */
export function addVote(set: VoteSet, vote: SignedVote, power: number): VoteSet {
  const votes = new Map(set.votes);
  votes.set(vote.validator, vote);
  const tally = addPower(set.power, voteKey(vote.blockHash), power);
  return { ...set, votes, power: tally, total: set.total + power };
}

/** Records a validator's second, conflicting vote (classified "conflict", signature checked): its value only. */
export function addConflictingVote(set: VoteSet, vote: SignedVote, power: number): VoteSet {
  const conflicting = new Map(set.conflicting);
  conflicting.set(vote.validator, vote);
  return { ...set, conflicting, power: addPower(set.power, voteKey(vote.blockHash), power) };
}

/** Removes a validator's votes (eviction of a far-future round). */
export function removeVotes(set: VoteSet, validator: AgencyId, power: number): VoteSet {
  const first = set.votes.get(validator);
  if (first === undefined) return set;
  const votes = new Map(set.votes);
  votes.delete(validator);
  let tally = addPower(set.power, voteKey(first.blockHash), -power);
  const second = set.conflicting.get(validator);
  let conflicting = set.conflicting;
  if (second !== undefined) {
    tally = addPower(tally, voteKey(second.blockHash), -power);
    const rest = new Map(conflicting);
    rest.delete(validator);
    conflicting = rest;
  }
  return { votes, conflicting, power: tally, total: set.total - power };
}

/** Power voting for `key` ("nil" or a block hash in hex). */
export function powerFor(set: VoteSet, key: string): number {
  return set.power.get(key) ?? 0;
}

/** Every vote for `blockHash`, one per validator, ordered by validator id (a commit certificate's signatures). */
export function votesFor(set: VoteSet, blockHash: Uint8Array): SignedVote[] {
  const out: SignedVote[] = [];
  for (const v of [...set.votes.values(), ...set.conflicting.values()]) {
    if (v.blockHash !== null && bytesEqual(v.blockHash, blockHash)) out.push(v);
  }
  return out.sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
}
