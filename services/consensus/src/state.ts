import type { Block, CommitCertificate } from "@coken/ledger";
import type { FutureBuffer } from "./buffer.js";
import { guardFromRecords, type SignGuard } from "./guard.js";
import type { RoundLog } from "./round-log.js";
import {
  type ConsensusConfig,
  type ConsensusLimits,
  DEFAULT_LIMITS,
  type SignedRecord,
  type Step,
} from "./types.js";
import { createValidatorSet, type ValidatorSet } from "./validator-set.js";

/** Why an incoming message was not used; counted in `ConsensusState.dropped`. */
export type DropReason =
  | "MALFORMED" // impossible fields (a negative round, a POL round not below the round)
  | "BAD_SIGNATURE" // signature does not verify under the sender's key (or the chain id differs)
  | "UNKNOWN_VALIDATOR" // sender is not in this height's validator set
  | "NOT_PROPOSER" // proposal from someone other than proposer(height, round)
  | "OLD_HEIGHT" // a height already decided
  | "BUFFER_FULL" // future height, no room left
  | "DUPLICATE" // already held (a resend, or the same value again)
  | "CONFLICTING" // a third value from a validator already caught voting twice in that step
  | "ROUND_LIMIT" // too many future rounds from one sender
  | "PROPOSAL_LIMIT"; // too many proposals in one round

/** Every drop reason, in a stable order. */
export const DROP_REASONS: readonly DropReason[] = [
  "MALFORMED",
  "BAD_SIGNATURE",
  "UNKNOWN_VALIDATOR",
  "NOT_PROPOSER",
  "OLD_HEIGHT",
  "BUFFER_FULL",
  "DUPLICATE",
  "CONFLICTING",
  "ROUND_LIMIT",
  "PROPOSAL_LIMIT",
];

/** A value the node tracks (locked or valid): the block and its id. */
export interface ValueRef {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly key: string;
}

/** "For the first time" flags of the paper's rules for the current round. */
export interface RoundOnce {
  /** Line 34: timeoutPrevote scheduled. */
  readonly prevoteWait: boolean;
  /** Line 36: a polka for the proposal acted on. */
  readonly polka: boolean;
  /** Line 47: timeoutPrecommit scheduled. */
  readonly precommitWait: boolean;
}

/** No rule has fired yet in this round. */
export const FRESH_ROUND: RoundOnce = { prevoteWait: false, polka: false, precommitWait: false };

/**
 * One node's consensus state (Algorithm 1's variables plus bookkeeping). Treat as immutable: `step` returns a new
 * object and never changes the one passed in.
 */
export interface ConsensusState {
  readonly config: ConsensusConfig;
  readonly limits: ConsensusLimits;
  readonly validators: ValidatorSet;
  /** idle: before the first `start`; running: deciding `height`; decided: waiting for the next `start`. */
  readonly status: "idle" | "running" | "decided";
  readonly height: number;
  readonly round: number;
  readonly step: Step;
  readonly lockedValue: ValueRef | null;
  readonly lockedRound: number;
  readonly validValue: ValueRef | null;
  readonly validRound: number;
  readonly decision: { block: Block; certificate: CommitCertificate } | null;
  readonly log: RoundLog;
  readonly once: RoundOnce;
  /** This node is the proposer of the current round and has asked the driver for a block. */
  readonly awaitingValue: boolean;
  readonly guard: SignGuard;
  readonly buffer: FutureBuffer;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/** A writable copy of the state used inside one `step`; its nested values are still replaced, never mutated. */
export type Draft = { -readonly [K in keyof ConsensusState]: ConsensusState[K] };

/**
 * A node before its first `start`. `signed` is the driver's persisted last-signed record (the `signed` effects),
 * so that a node restarted without its inputs still refuses to sign anything conflicting.
 */
export function createConsensusState(
  config: ConsensusConfig,
  options: { signed?: readonly SignedRecord[] } = {},
): ConsensusState {
  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  return {
    config,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
    validators: createValidatorSet(config.validators),
    status: "idle",
    height: 0,
    round: 0,
    step: "propose",
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    decision: null,
    log: new Map(),
    once: FRESH_ROUND,
    awaitingValue: false,
    guard: guardFromRecords(options.signed ?? []),
    buffer: [],
    dropped,
  };
}

/** Counts a dropped message; returns false (not taken) for the caller to pass on. */
export function drop(d: Draft, reason: DropReason): false {
  d.dropped = { ...d.dropped, [reason]: d.dropped[reason] + 1 };
  return false;
}
