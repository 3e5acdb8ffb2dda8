import type { AgencyId, Block, Hasher, KeyScheme, Signer, Validator, Verifier } from "@coken/ledger";

export type { VoteType } from "@coken/ledger";

/** The three steps of a round; also the kinds of timeout and of signed message (a proposal is signed at "propose"). */
export type Step = "propose" | "prevote" | "precommit";

/**
 * A proposer's signed proposal of `block` for (height, round); `polRound` is the round of its POL, or -1. The
 * signature is over its `ProposalHeader` (sign.ts), derived from the block.
 */
export interface SignedProposal {
  height: number;
  round: number;
  polRound: number;
  block: Block;
  proposer: AgencyId;
  signature: Uint8Array;
}

/** How a block's canonical bytes are cut for gossip: the number of parts and the Merkle root over them. */
export interface PartSetHeader {
  total: number;
  root: Uint8Array;
}

/**
 * A proposal as it is signed and gossiped: the block is named by its hash and by the header of its parts, which
 * travel as separate `BlockPart` messages.
 */
export interface ProposalHeader {
  height: number;
  round: number;
  polRound: number;
  blockHash: Uint8Array;
  parts: PartSetHeader;
  proposer: AgencyId;
  signature: Uint8Array;
}

/** Part `index` of the block proposed at (height, round), with its Merkle path to the part-set root. */
export interface BlockPart {
  height: number;
  round: number;
  index: number;
  bytes: Uint8Array;
  proof: Uint8Array[];
}

import type { SignedVote } from "@coken/ledger";

export type { DuplicateVoteEvidence, SignedVote } from "@coken/ledger";

/** What travels between peers. */
export type ConsensusMessage =
  | { kind: "proposal"; proposal: SignedProposal }
  | { kind: "vote"; vote: SignedVote };

/** A member of the validator set with the key its votes are checked against. */
export interface ValidatorInfo extends Validator {
  publicKey: Uint8Array;
  keyScheme: KeyScheme;
}

/** Timeouts in ms: step `s` of round `r` waits `base + r * delta` (the paper's timeoutX(r)). */
export interface Timeouts {
  proposeMs: number;
  proposeDeltaMs: number;
  prevoteMs: number;
  prevoteDeltaMs: number;
  precommitMs: number;
  precommitDeltaMs: number;
}

/** Bounds on what one height may hold, so a peer cannot grow the state without limit. */
export interface ConsensusLimits {
  /** Messages kept for heights this node has not started yet. */
  maxBufferedMessages: number;
  /** Rounds above the current one in which one validator may have messages; its lowest is evicted past this. */
  maxFutureRoundsPerValidator: number;
  /** Distinct proposals kept per round (more than one only when the proposer equivocates). */
  maxProposalsPerRound: number;
}

/** Limits used where the config gives none. */
export const DEFAULT_LIMITS: ConsensusLimits = {
  maxBufferedMessages: 1024,
  maxFutureRoundsPerValidator: 4,
  maxProposalsPerRound: 4,
};

/** This node's signing identity; absent for an observer, which follows consensus without voting. */
export interface Identity {
  agency: AgencyId;
  signer: Signer;
}

export interface ConsensusConfig {
  chain: string;
  hasher: Hasher;
  verifier: Verifier;
  identity: Identity | null;
  /** The validator set of the first height started; `start` may replace it for later heights. */
  validators: readonly ValidatorInfo[];
  timeouts: Timeouts;
  limits?: Partial<ConsensusLimits>;
}

/** A message this node signed, as the driver persists it before broadcasting (the last-signed guard). */
export interface SignedRecord {
  height: number;
  round: number;
  step: Step;
  signBytes: Uint8Array;
}
