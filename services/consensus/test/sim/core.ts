import { createConsensusState, decodeMessage, step } from "../../src/index.js";

/**
 * The consensus functions the simulation drives, the message decoder included (it refuses malformed proposals before
 * the state machine sees them); the mutation test passes deliberately broken copies.
 */
export interface ConsensusCore {
  readonly step: typeof step;
  readonly createConsensusState: typeof createConsensusState;
  readonly decodeMessage: typeof decodeMessage;
}

/** The core under test in every ordinary run. */
export const REAL_CORE: ConsensusCore = { step, createConsensusState, decodeMessage };
