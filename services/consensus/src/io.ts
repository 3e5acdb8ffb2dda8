import type { Block, CommitCertificate } from "@coken/ledger";
import type { DuplicateVoteEvidence, SignedProposal, SignedVote, Step, ValidatorInfo } from "./types.js";

/**
 * Everything that can happen to a node. `time` is the driver's clock (ms) when the input arrived; it stamps the
 * votes the input makes this node sign. Nothing inside consensus reads a clock.
 */
export type ConsensusInput =
  | {
      kind: "start";
      height: number;
      time: number;
      /** The validator set of this height, when it differs from the previous one. */
      validators?: readonly ValidatorInfo[];
    }
  | {
      kind: "proposal";
      proposal: SignedProposal;
      /** The paper's valid(v): the driver checked `proposal.block` against the ledger at this height. */
      valid: boolean;
      time: number;
    }
  | { kind: "vote"; vote: SignedVote; time: number }
  | { kind: "timeout"; step: Step; height: number; round: number; time: number }
  /** The block to propose, answering a `requestValue`. */
  | { kind: "value"; block: Block; time: number };

/** What the driver must do, in order. */
export type Effect =
  | { kind: "requestValue"; height: number; round: number }
  | { kind: "broadcastProposal"; proposal: SignedProposal }
  | { kind: "broadcastVote"; vote: SignedVote }
  | { kind: "scheduleTimeout"; step: Step; height: number; round: number; delayMs: number }
  | { kind: "commit"; block: Block; certificate: CommitCertificate }
  | { kind: "evidence"; evidence: DuplicateVoteEvidence }
  /** Persist before the broadcast that follows it: this node signed `signBytes` at (height, round, step). */
  | { kind: "signed"; height: number; round: number; step: Step; signBytes: Uint8Array }
  /**
   * A proposal received before its height started: check its block against the ledger now and feed it back as a
   * `proposal` input.
   */
  | { kind: "checkProposal"; proposal: SignedProposal };
