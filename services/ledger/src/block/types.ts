import type { AgencyId } from "../model.js";

/** Block header; `appHash` is the state root after the previous block (as in CometBFT). */
export interface BlockHeader {
  chain: string;
  height: number;
  /** Proposer's time, ms since the Unix epoch; strictly greater than the previous block's. */
  time: number;
  /** Hash of the previous header; for height 1, the genesis hash. */
  prevHash: Uint8Array;
  proposer: AgencyId;
  txRoot: Uint8Array;
  /** Merkle root over H("evidence.raw", item) of the block's evidence items. */
  evidenceRoot: Uint8Array;
  appHash: Uint8Array;
  validatorsHash: Uint8Array;
  /** H("commit", cbor(lastCommit)): binds the previous block's certificate (block 1: cbor(null)). */
  lastCommitHash: Uint8Array;
}

/** One validator's precommit for a block, as carried in a commit certificate. */
export interface CommitSig {
  validator: AgencyId;
  time: number;
  signature: Uint8Array;
}

/**
 * Proof that a block was decided: precommits for `blockHash` at (height, round) from validators holding more than
 * 2/3 of the voting power of the set named by the header's validatorsHash, one per validator, ascending by
 * validator id (the only order accepted, so one signer set has one encoding).
 */
export interface CommitCertificate {
  height: number;
  round: number;
  blockHash: Uint8Array;
  signatures: CommitSig[];
}

export interface Block {
  header: BlockHeader;
  /** Raw tx bytes, each a canonical SignedTx; a tx that fails is kept with its error code in the results. */
  txs: Uint8Array[];
  /** Evidence of validator misbehaviour: canonical `DuplicateVoteEvidence` items (block/evidence.ts). */
  evidence: Uint8Array[];
  /** Commit certificate of the previous block (null at height 1). */
  lastCommit: CommitCertificate | null;
}
