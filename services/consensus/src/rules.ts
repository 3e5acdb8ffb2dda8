import type { CommitCertificate } from "@coken/ledger";
import { castVote, scheduleTimeout, startRound } from "./act.js";
import type { Effect } from "./io.js";
import { type ProposalEntry, roundOf, senders, votesOf } from "./round-log.js";
import type { Draft, ValueRef } from "./state.js";
import { isOneThird, isQuorum } from "./validator-set.js";
import { powerFor, votesFor } from "./vote-set.js";

/*
 * The upon-rules of Algorithm 1 ("The latest gossip on BFT consensus", Buchman, Kwon, Milosevic 2018); line
 * numbers refer to the paper. They are evaluated after every input until none fires, which is the paper's
 * "upon" semantics over the message log.
 */

function asValue(p: ProposalEntry): ValueRef {
  return { block: p.proposal.block, hash: p.hash, key: p.key };
}

function prevote(d: Draft, fx: Effect[], value: ValueRef | null, time: number): void {
  castVote(d, fx, "prevote", value, time);
  d.step = "prevote";
}

function precommit(d: Draft, fx: Effect[], value: ValueRef | null, time: number): void {
  castVote(d, fx, "precommit", value, time);
  d.step = "precommit";
}

/** Line 49: a proposal of v and 2f+1 precommits for id(v) in some round decide v if valid(v). */
function tryDecide(d: Draft, fx: Effect[]): boolean {
  const total = d.validators.totalPower;
  for (const [round, messages] of d.log) {
    for (const [key, power] of messages.precommit.power) {
      if (key === "nil" || !isQuorum(power, total)) continue;
      // The block is identified by its hash; CometBFT also takes it from whichever proposal carried it.
      let found = messages.proposals.find((p) => p.key === key && p.valid);
      for (const other of d.log.values()) found ??= other.proposals.find((p) => p.key === key && p.valid);
      if (found === undefined) continue;
      const entry = found;
      const signatures = votesFor(messages.precommit, entry.hash).map((v) => ({
        validator: v.validator,
        time: v.time,
        signature: v.signature,
      }));
      const certificate: CommitCertificate = { height: d.height, round, blockHash: entry.hash, signatures };
      d.decision = { block: entry.proposal.block, certificate };
      d.status = "decided";
      fx.push({ kind: "commit", block: entry.proposal.block, certificate });
      return true;
    }
  }
  return false;
}

/** Line 55: f+1 senders in a higher round make the node jump to the highest such round. */
function roundToSkipTo(d: Draft): number | null {
  let best: number | null = null;
  for (const round of d.log.keys()) {
    if (round <= d.round || (best !== null && round <= best)) continue;
    let power = 0;
    for (const agency of senders(d.log, round)) power += d.validators.byAgency.get(agency)?.power ?? 0;
    if (isOneThird(power, d.validators.totalPower)) best = round;
  }
  return best;
}

/** Rules of the current round; returns whether the step changed (so rules must be evaluated again). */
function roundRules(d: Draft, fx: Effect[], time: number): boolean {
  const total = d.validators.totalPower;
  const r = roundOf(d.log, d.round);
  if (d.step === "propose") {
    for (const p of r.proposals) {
      const vr = p.proposal.polRound;
      if (vr === -1) {
        // Line 22.
        const ok = p.valid && (d.lockedRound === -1 || d.lockedValue?.key === p.key);
        prevote(d, fx, ok ? asValue(p) : null, time);
        return true;
      }
      if (vr >= 0 && vr < d.round && isQuorum(powerFor(votesOf(d.log, vr, "prevote"), p.key), total)) {
        // Line 28.
        const ok = p.valid && (d.lockedRound <= vr || d.lockedValue?.key === p.key);
        prevote(d, fx, ok ? asValue(p) : null, time);
        return true;
      }
    }
  }
  if (d.step !== "propose" && !d.once.polka) {
    const polka = r.proposals.find((p) => p.valid && isQuorum(powerFor(r.prevote, p.key), total));
    if (polka !== undefined) {
      // Line 36.
      d.once = { ...d.once, polka: true };
      const value = asValue(polka);
      if (d.step === "prevote") {
        d.lockedValue = value;
        d.lockedRound = d.round;
        precommit(d, fx, value, time);
      }
      d.validValue = value;
      d.validRound = d.round;
      return true;
    }
  }
  if (d.step === "prevote" && isQuorum(powerFor(r.prevote, "nil"), total)) {
    // Line 44.
    precommit(d, fx, null, time);
    return true;
  }
  if (d.step === "prevote" && !d.once.prevoteWait && isQuorum(r.prevote.total, total)) {
    // Line 34.
    d.once = { ...d.once, prevoteWait: true };
    scheduleTimeout(d, fx, "prevote");
  }
  if (!d.once.precommitWait && isQuorum(r.precommit.total, total)) {
    // Line 47.
    d.once = { ...d.once, precommitWait: true };
    scheduleTimeout(d, fx, "precommit");
  }
  return false;
}

/** Applies every enabled rule until none fires; `time` stamps the votes signed on the way. */
export function advance(d: Draft, fx: Effect[], time: number): void {
  while (d.status === "running") {
    if (tryDecide(d, fx)) return;
    const skip = roundToSkipTo(d);
    if (skip !== null) {
      startRound(d, fx, skip);
      continue;
    }
    if (!roundRules(d, fx, time)) return;
  }
}

/** The paper's OnTimeoutPropose / OnTimeoutPrevote / OnTimeoutPrecommit for the current height and round. */
export function onTimeout(
  d: Draft,
  fx: Effect[],
  step: "propose" | "prevote" | "precommit",
  time: number,
): void {
  if (step === "propose" && d.step === "propose") prevote(d, fx, null, time);
  else if (step === "prevote" && d.step === "prevote") precommit(d, fx, null, time);
  else if (step === "precommit") startRound(d, fx, d.round + 1);
}
