import { blockHash, toHex } from "@coken/ledger";
import { buffer, messageHeight } from "./buffer.js";
import { duplicateVoteEvidence } from "./codec/evidence.js";
import type { Effect } from "./io.js";
import { admitRound, roundOf, votesOf, withRound, withVotes } from "./round-log.js";
import { verifyProposalSignature, verifyVoteSignature } from "./sign.js";
import { type Draft, drop } from "./state.js";
import type { ConsensusMessage, SignedProposal, SignedVote } from "./types.js";
import { isOneThird } from "./validator-set.js";
import { addConflictingVote, addVote, classifyVote, powerFor } from "./vote-set.js";

/**
 * Sorts a message by height: true when it belongs to the height being decided; otherwise it was buffered (a height
 * not started yet) or dropped (a height already decided).
 */
function isCurrent(d: Draft, m: ConsensusMessage): boolean {
  const h = messageHeight(m);
  if (d.status !== "idle" && h === d.height) {
    if (d.status === "running") return true;
    drop(d, "OLD_HEIGHT");
    return false;
  }
  if (d.status !== "idle" && h < d.height) {
    drop(d, "OLD_HEIGHT");
    return false;
  }
  const next = buffer(d.buffer, m, d.limits.maxBufferedMessages);
  if (next === "duplicate") drop(d, "DUPLICATE");
  else if (next === "full") drop(d, "BUFFER_FULL");
  else d.buffer = next;
  return false;
}

/**
 * Takes a vote into the log (returns whether it was counted): the sender must be a validator, and its signature is checked once (resends are sorted
 * out before). A second vote of the sender for a different value in that step is reported as evidence and counts
 * only for its own value (see VoteSet); any further one is ignored.
 */
export function receiveVote(d: Draft, fx: Effect[], vote: SignedVote): boolean {
  if (!isCurrent(d, { kind: "vote", vote })) return false;
  const info = d.validators.byAgency.get(vote.validator);
  if (info === undefined) return drop(d, "UNKNOWN_VALIDATOR");
  const set = votesOf(d.log, vote.round, vote.type);
  const relation = classifyVote(set, vote);
  if (relation.kind === "duplicate") return drop(d, "DUPLICATE");
  if (relation.kind === "excess") return drop(d, "CONFLICTING");
  const { hasher, verifier, chain } = d.config;
  if (!verifyVoteSignature(hasher, verifier, chain, vote, info)) return drop(d, "BAD_SIGNATURE");
  if (relation.kind === "conflict") {
    d.log = withVotes(d.log, vote.round, vote.type, addConflictingVote(set, vote, info.power));
    fx.push({ kind: "evidence", evidence: duplicateVoteEvidence(relation.existing, vote) });
    return true;
  }
  const log = admitRound(
    d.log,
    vote.validator,
    vote.round,
    d.round,
    d.limits.maxFutureRoundsPerValidator,
    d.validators,
  );
  if (log === null) return drop(d, "ROUND_LIMIT");
  d.log = withVotes(
    log,
    vote.round,
    vote.type,
    addVote(votesOf(log, vote.round, vote.type), vote, info.power),
  );
  return true;
}

/**
 * Takes a proposal into the log with the driver's valid(v), returning whether it was taken. It must come from
 * proposer(height, round) with a good signature; each block is kept once per round, and past
 * `maxProposalsPerRound` only a block that more than 1/3 of the power voted for is still taken (so an
 * equivocating proposer cannot hide the block the others decide).
 */
export function receiveProposal(d: Draft, proposal: SignedProposal, valid: boolean): boolean {
  if (!isCurrent(d, { kind: "proposal", proposal })) return false;
  // The POL round must be an earlier round; anything else is not a proposal an honest proposer could make.
  const { round, polRound } = proposal;
  if (
    !Number.isSafeInteger(round) ||
    round < 0 ||
    !Number.isSafeInteger(polRound) ||
    polRound < -1 ||
    polRound >= round
  ) {
    return drop(d, "MALFORMED");
  }
  if (d.validators.schedule.proposer(d.height, proposal.round) !== proposal.proposer) {
    return drop(d, "NOT_PROPOSER");
  }
  const info = d.validators.byAgency.get(proposal.proposer);
  if (info === undefined) return drop(d, "UNKNOWN_VALIDATOR");
  const { hasher, verifier, chain } = d.config;
  const hash = blockHash(hasher, proposal.block.header);
  const key = toHex(hash);
  const r = roundOf(d.log, proposal.round);
  if (r.proposals.some((p) => p.key === key)) return drop(d, "DUPLICATE");
  if (r.proposals.length >= d.limits.maxProposalsPerRound) {
    const backing = Math.max(powerFor(r.prevote, key), powerFor(r.precommit, key));
    if (!isOneThird(backing, d.validators.totalPower)) return drop(d, "PROPOSAL_LIMIT");
  }
  if (!verifyProposalSignature(hasher, verifier, chain, proposal, info)) return drop(d, "BAD_SIGNATURE");
  const log = admitRound(
    d.log,
    proposal.proposer,
    proposal.round,
    d.round,
    d.limits.maxFutureRoundsPerValidator,
    d.validators,
  );
  if (log === null) return drop(d, "ROUND_LIMIT");
  const current = roundOf(log, proposal.round);
  const entry = { proposal, hash, key, valid };
  d.log = withRound(log, proposal.round, { ...current, proposals: [...current.proposals, entry] });
  return true;
}
