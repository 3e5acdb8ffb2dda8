import type { ConsensusInput } from "@coken/consensus";

/**
 * Bounds of the driver's inbox for inputs from the network. Inputs queue there while the driver handles earlier
 * ones (a commit, a WAL write); a peer that sends faster than this node handles them must not grow it without
 * end. Dropping a vote or proposal is a lost message, which consensus tolerates and re-gossip repairs.
 */
export interface InboxLimits {
  /** Most inputs waiting at once. */
  maxInputs: number;
  /** Most proposals waiting at once: each holds a decoded block, up to maxBlockBytes and several times that decoded. */
  maxProposals: number;
}

export const DEFAULT_INBOX_LIMITS: InboxLimits = { maxInputs: 1024, maxProposals: 4 };

/** What the inbox holds now. */
export interface InboxUsage {
  inputs: number;
  proposals: number;
}

/**
 * Whether an input from the network may join the inbox. The driver's own inputs (start, timeouts, its value, the
 * check of a buffered proposal) are not offered here: there are few of them and losing one would stall a height.
 */
export function admitsNetworkInput(usage: InboxUsage, input: ConsensusInput, limits: InboxLimits): boolean {
  if (usage.inputs >= limits.maxInputs) return false;
  return input.kind !== "proposal" || usage.proposals < limits.maxProposals;
}
