import type { AgencyId, VoteType } from "@coken/ledger";
import type { SignedProposal } from "./types.js";
import type { ValidatorSet } from "./validator-set.js";
import { EMPTY_VOTE_SET, removeVotes, type VoteSet } from "./vote-set.js";

/** A verified proposal with its identity id(v) = block hash, and the driver's valid(v). */
export interface ProposalEntry {
  readonly proposal: SignedProposal;
  readonly hash: Uint8Array;
  readonly key: string;
  readonly valid: boolean;
}

/** The paper's message log for one round of the current height. */
export interface RoundMessages {
  /** In arrival order; more than one only when the proposer equivocated. */
  readonly proposals: readonly ProposalEntry[];
  readonly prevote: VoteSet;
  readonly precommit: VoteSet;
}

/** Message log of the current height, by round. Immutable. */
export type RoundLog = ReadonlyMap<number, RoundMessages>;

/** A round with no messages. */
export const EMPTY_ROUND: RoundMessages = {
  proposals: [],
  prevote: EMPTY_VOTE_SET,
  precommit: EMPTY_VOTE_SET,
};

/** The messages of `round` (empty if none arrived). */
export function roundOf(log: RoundLog, round: number): RoundMessages {
  return log.get(round) ?? EMPTY_ROUND;
}

/** A log with `round` replaced. */
export function withRound(log: RoundLog, round: number, messages: RoundMessages): RoundLog {
  const next = new Map(log);
  next.set(round, messages);
  return next;
}

/** The prevotes or precommits of `round`. */
export function votesOf(log: RoundLog, round: number, type: VoteType): VoteSet {
  const r = roundOf(log, round);
  return type === "prevote" ? r.prevote : r.precommit;
}

/** A log with the prevotes or precommits of `round` replaced. */
export function withVotes(log: RoundLog, round: number, type: VoteType, set: VoteSet): RoundLog {
  const r = roundOf(log, round);
  return withRound(log, round, type === "prevote" ? { ...r, prevote: set } : { ...r, precommit: set });
}

/** Validators that sent any message (proposal, prevote, precommit) in `round`: the paper's senders for f+1. */
export function senders(log: RoundLog, round: number): Set<AgencyId> {
  const r = roundOf(log, round);
  const out = new Set<AgencyId>(r.prevote.votes.keys());
  for (const v of r.precommit.votes.keys()) out.add(v);
  for (const p of r.proposals) out.add(p.proposal.proposer);
  return out;
}

function hasMessages(r: RoundMessages, agency: AgencyId): boolean {
  return (
    r.prevote.votes.has(agency) ||
    r.precommit.votes.has(agency) ||
    r.proposals.some((p) => p.proposal.proposer === agency)
  );
}

/**
 * Makes room for a message of `agency` in `round`: each validator may occupy at most `cap` rounds above the
 * current one. A message for a new round beyond the cap evicts the validator's lowest future round if the new one
 * is higher (a validator moves forward, so its latest rounds matter), and is refused otherwise.
 */
export function admitRound(
  log: RoundLog,
  agency: AgencyId,
  round: number,
  currentRound: number,
  cap: number,
  validators: ValidatorSet,
): RoundLog | null {
  if (round <= currentRound) return log;
  const occupied: number[] = [];
  for (const [r, messages] of log) {
    if (r > currentRound && hasMessages(messages, agency)) occupied.push(r);
  }
  if (occupied.includes(round) || occupied.length < cap) return log;
  const lowest = Math.min(...occupied);
  if (round < lowest) return null;
  const r = roundOf(log, lowest);
  const power = validators.byAgency.get(agency)?.power ?? 0;
  return withRound(log, lowest, {
    proposals: r.proposals.filter((p) => p.proposal.proposer !== agency),
    prevote: removeVotes(r.prevote, agency, power),
    precommit: removeVotes(r.precommit, agency, power),
  });
}
