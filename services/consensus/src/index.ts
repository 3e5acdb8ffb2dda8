export * from "./codec/evidence.js";
export {
  decodeBlockPart,
  decodeMessage,
  decodeProposal,
  decodeProposalHeader,
  decodeVote,
  encodeBlockPart,
  encodeMessage,
  encodeProposal,
  encodeProposalHeader,
  encodeVote,
  MAX_BLOCK_PART_MESSAGE_BYTES,
  MAX_PROPOSAL_HEADER_BYTES,
} from "./codec/messages.js";
export * from "./evidence.js";
export type { SignGuard } from "./guard.js";
export * from "./io.js";
export * from "./parts.js";
export * from "./proposal-parts.js";
export * from "./proposer.js";
export type { ProposalEntry, RoundLog, RoundMessages } from "./round-log.js";
export * from "./sign.js";
export {
  type ConsensusState,
  createConsensusState,
  DROP_REASONS,
  type DropReason,
  type RoundOnce,
  type ValueRef,
} from "./state.js";
export { type StepResult, step } from "./step.js";
export * from "./types.js";
export { createValidatorSet, isOneThird, isQuorum, type ValidatorSet } from "./validator-set.js";
export { type VoteSet, voteKey } from "./vote-set.js";
