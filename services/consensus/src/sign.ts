import {
  blockHash,
  type CborValue,
  encodeBlock,
  encodeCbor,
  type Hasher,
  type Signer,
  type Verifier,
  voteSignBytes,
} from "@coken/ledger";
import { partSetHeader } from "./parts.js";
import type { ProposalHeader, SignedProposal, SignedVote, ValidatorInfo } from "./types.js";

export type UnsignedProposal = Omit<SignedProposal, "signature">;
export type UnsignedProposalHeader = Omit<ProposalHeader, "signature">;
export type UnsignedVote = Omit<SignedVote, "signature">;

/**
 * The header a proposal is signed and gossiped as: its block named by the block hash and by the part-set header
 * of the block's canonical bytes (parts.ts).
 */
export function headerOfProposal(h: Hasher, p: UnsignedProposal): UnsignedProposalHeader {
  const { height, round, polRound, block, proposer } = p;
  const parts = partSetHeader(h, encodeBlock(block));
  return { height, round, polRound, blockHash: blockHash(h, block.header), parts, proposer };
}

/**
 * What a proposer signs: H("proposal", cbor({chain, height, round, polRound, blockHash, parts, proposer})). The
 * chain id is bound as in vote sign bytes; the part-set root covers every byte of the block, so a header can be
 * checked before its parts arrive and each part against it.
 */
export function proposalHeaderSignBytes(h: Hasher, chain: string, p: UnsignedProposalHeader): Uint8Array {
  const { height, round, polRound, blockHash: hash, parts, proposer } = p;
  const body = { chain, height, round, polRound, blockHash: hash, parts, proposer };
  return h.hash("proposal", encodeCbor(body as unknown as CborValue));
}

/** The sign bytes of a proposal: those of its header, derived from the block. */
export function proposalSignBytes(h: Hasher, chain: string, p: UnsignedProposal): Uint8Array {
  return proposalHeaderSignBytes(h, chain, headerOfProposal(h, p));
}

/** The ledger's vote sign bytes of a vote (so a precommit's signature is valid in a commit certificate). */
export function signBytesOfVote(h: Hasher, chain: string, v: UnsignedVote): Uint8Array {
  const { type, height, round, blockHash, time } = v;
  return voteSignBytes(h, { chain, type, height, round, blockHash, time });
}

/** Whether `vote` carries a valid signature of `validator` (which must be its signer). */
export function verifyVoteSignature(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  vote: SignedVote,
  validator: ValidatorInfo,
): boolean {
  if (validator.agency !== vote.validator) return false;
  const message = signBytesOfVote(h, chain, vote);
  return verifier.verify(validator.keyScheme, validator.publicKey, message, vote.signature);
}

/** Whether `proposal` carries a valid signature of `validator` (which must be its proposer). */
export function verifyProposalSignature(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  proposal: SignedProposal,
  validator: ValidatorInfo,
): boolean {
  if (validator.agency !== proposal.proposer) return false;
  const message = proposalSignBytes(h, chain, proposal);
  return verifier.verify(validator.keyScheme, validator.publicKey, message, proposal.signature);
}

/** Whether `header` carries a valid signature of `validator` (which must be its proposer). */
export function verifyProposalHeaderSignature(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  header: ProposalHeader,
  validator: ValidatorInfo,
): boolean {
  if (validator.agency !== header.proposer) return false;
  const message = proposalHeaderSignBytes(h, chain, header);
  return verifier.verify(validator.keyScheme, validator.publicKey, message, header.signature);
}

/** Signs a vote outright (tests and tools; the state machine signs through its double-sign guard). */
export function signVote(h: Hasher, signer: Signer, chain: string, v: UnsignedVote): SignedVote {
  return { ...v, signature: signer.sign(signBytesOfVote(h, chain, v)) };
}

/** Signs a proposal outright (tests and tools; the state machine signs through its double-sign guard). */
export function signProposal(h: Hasher, signer: Signer, chain: string, p: UnsignedProposal): SignedProposal {
  return { ...p, signature: signer.sign(proposalSignBytes(h, chain, p)) };
}
