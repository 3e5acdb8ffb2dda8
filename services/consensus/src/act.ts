import type { VoteType } from "@coken/ledger";
import { maySign, recordSigned } from "./guard.js";
import type { Effect } from "./io.js";
import { roundOf, votesOf, withRound, withVotes } from "./round-log.js";
import { proposalSignBytes, signBytesOfVote } from "./sign.js";
import { type Draft, FRESH_ROUND, type ValueRef } from "./state.js";
import type { SignedRecord, Step } from "./types.js";
import { addVote, classifyVote } from "./vote-set.js";

/** The validator this node signs as, if it has an identity and is in the current set. */
function signerOf(d: Draft) {
  const id = d.config.identity;
  if (id === null) return null;
  const info = d.validators.byAgency.get(id.agency);
  return info === undefined ? null : { ...id, power: info.power };
}

/** Passes a signature through the double-sign guard; on success records it and emits the `signed` effect. */
function guardedSign(d: Draft, fx: Effect[], record: SignedRecord): boolean {
  if (!maySign(d.guard, record)) return false;
  d.guard = recordSigned(d.guard, record);
  fx.push({ kind: "signed", ...record });
  return true;
}

/**
 * Signs and broadcasts this node's vote for `value` (nil when null) in the current round and counts it. Does
 * nothing for an observer, or when the guard refuses (it never signs a second, different vote for a step).
 */
export function castVote(d: Draft, fx: Effect[], type: VoteType, value: ValueRef | null, time: number): void {
  const me = signerOf(d);
  if (me === null) return;
  const { chain, hasher } = d.config;
  const unsigned = {
    type,
    height: d.height,
    round: d.round,
    blockHash: value === null ? null : value.hash,
    validator: me.agency,
    time,
  };
  const signBytes = signBytesOfVote(hasher, chain, unsigned);
  if (!guardedSign(d, fx, { height: d.height, round: d.round, step: type, signBytes })) return;
  const vote = { ...unsigned, signature: me.signer.sign(signBytes) };
  fx.push({ kind: "broadcastVote", vote });
  const set = votesOf(d.log, d.round, type);
  if (classifyVote(set, vote).kind === "new")
    d.log = withVotes(d.log, d.round, type, addVote(set, vote, me.power));
}

/** Signs and broadcasts a proposal of `value` for the current round and adds it to the log (valid: it is ours). */
export function sendProposal(d: Draft, fx: Effect[], value: ValueRef, polRound: number): void {
  const me = signerOf(d);
  if (me === null) return;
  const { chain, hasher } = d.config;
  const unsigned = { height: d.height, round: d.round, polRound, block: value.block, proposer: me.agency };
  const signBytes = proposalSignBytes(hasher, chain, unsigned);
  if (!guardedSign(d, fx, { height: d.height, round: d.round, step: "propose", signBytes })) return;
  const proposal = { ...unsigned, signature: me.signer.sign(signBytes) };
  fx.push({ kind: "broadcastProposal", proposal });
  const r = roundOf(d.log, d.round);
  if (r.proposals.some((p) => p.key === value.key)) return;
  const entry = { proposal, hash: value.hash, key: value.key, valid: true };
  d.log = withRound(d.log, d.round, { ...r, proposals: [...r.proposals, entry] });
}

/** Emits the timeout of `step` for the current round: base + round × delta. */
export function scheduleTimeout(d: Draft, fx: Effect[], step: Step): void {
  const t = d.config.timeouts;
  const [base, delta] =
    step === "propose"
      ? [t.proposeMs, t.proposeDeltaMs]
      : step === "prevote"
        ? [t.prevoteMs, t.prevoteDeltaMs]
        : [t.precommitMs, t.precommitDeltaMs];
  fx.push({
    kind: "scheduleTimeout",
    step,
    height: d.height,
    round: d.round,
    delayMs: base + d.round * delta,
  });
}

/**
 * StartRound(round) of the paper. The proposer re-proposes its valid value or asks the driver for a block; every
 * node, the proposer included (as CometBFT does, in case the block never comes), schedules timeoutPropose.
 */
export function startRound(d: Draft, fx: Effect[], round: number): void {
  d.round = round;
  d.step = "propose";
  d.once = FRESH_ROUND;
  d.awaitingValue = false;
  const me = signerOf(d);
  if (me !== null && d.validators.schedule.proposer(d.height, round) === me.agency) {
    if (d.validValue !== null) sendProposal(d, fx, d.validValue, d.validRound);
    else {
      d.awaitingValue = true;
      fx.push({ kind: "requestValue", height: d.height, round });
    }
  }
  scheduleTimeout(d, fx, "propose");
}
