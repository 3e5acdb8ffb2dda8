import { blockHash, toHex } from "@coken/ledger";
import { sendProposal, startRound } from "./act.js";
import { release } from "./buffer.js";
import type { ConsensusInput, Effect } from "./io.js";
import { receiveProposal, receiveVote } from "./receive.js";
import { advance, onTimeout } from "./rules.js";
import { type ConsensusState, type Draft, FRESH_ROUND } from "./state.js";
import { createValidatorSet } from "./validator-set.js";

export interface StepResult {
  state: ConsensusState;
  effects: Effect[];
}

/** Begins `height` (the paper's "upon start" and the reset after a decision), then replays its buffered messages. */
function start(d: Draft, fx: Effect[], input: Extract<ConsensusInput, { kind: "start" }>): void {
  if (d.status !== "idle" && input.height <= d.height) return;
  if (input.validators !== undefined) d.validators = createValidatorSet(input.validators);
  d.status = "running";
  d.height = input.height;
  d.lockedValue = null;
  d.lockedRound = -1;
  d.validValue = null;
  d.validRound = -1;
  d.decision = null;
  d.log = new Map();
  d.once = FRESH_ROUND;
  const { ready, rest } = release(d.buffer, input.height);
  d.buffer = rest;
  startRound(d, fx, 0);
  for (const m of ready) {
    // A buffered block could not be checked before its height: the driver checks it now and sends it back.
    if (m.kind === "vote") receiveVote(d, fx, m.vote);
    else fx.push({ kind: "checkProposal", proposal: m.proposal });
  }
}

/** Proposes the driver's block if this node is still the proposer waiting for one in this round. */
function value(d: Draft, fx: Effect[], input: Extract<ConsensusInput, { kind: "value" }>): void {
  if (d.status !== "running" || !d.awaitingValue || d.step !== "propose") return;
  if (input.block.header.height !== d.height) return;
  d.awaitingValue = false;
  const hash = blockHash(d.config.hasher, input.block.header);
  sendProposal(d, fx, { block: input.block, hash, key: toHex(hash) }, -1);
}

/**
 * Advances one node's consensus by one input and says what the driver must do, in order. Pure: the state passed
 * in is not changed, nothing is read from outside, and the same state and input always give the same result.
 */
export function step(state: ConsensusState, input: ConsensusInput): StepResult {
  const d: Draft = { ...state };
  const fx: Effect[] = [];
  switch (input.kind) {
    case "start":
      start(d, fx, input);
      break;
    case "value":
      value(d, fx, input);
      break;
    case "proposal":
      receiveProposal(d, input.proposal, input.valid);
      break;
    case "vote":
      receiveVote(d, fx, input.vote);
      break;
    case "timeout":
      if (d.status === "running" && input.height === d.height && input.round === d.round) {
        onTimeout(d, fx, input.step, input.time);
      }
      break;
  }
  advance(d, fx, input.time);
  return { state: d, effects: fx };
}
