import {
  blockHash,
  bytesEqual,
  decodeBlock,
  EncodingError,
  encodeBlock,
  type Hasher,
  type Verifier,
} from "@coken/ledger";
import { splitIntoParts } from "./parts.js";
import { verifyProposalHeaderSignature } from "./sign.js";
import type { BlockPart, ProposalHeader, SignedProposal } from "./types.js";
import type { ValidatorSet } from "./validator-set.js";

/**
 * A signed proposal as gossip carries it: the header (with the proposer's signature, which is over the header)
 * and the block's canonical bytes cut into parts, each with its proof.
 */
export function proposalMessages(
  h: Hasher,
  proposal: SignedProposal,
): { header: ProposalHeader; parts: BlockPart[] } {
  const { height, round, polRound, block, proposer, signature } = proposal;
  const split = splitIntoParts(h, encodeBlock(block));
  const hash = blockHash(h, block.header);
  const header = { height, round, polRound, blockHash: hash, parts: split.header, proposer, signature };
  const parts = split.parts.map(({ index, bytes, proof }) => ({ height, round, index, bytes, proof }));
  return { header, parts };
}

/** Why a gossiped header is not one to collect parts for (the consensus drop reasons of a proposal, §3.3). */
export type HeaderRefusal = "NOT_PROPOSER" | "UNKNOWN_VALIDATOR" | "BAD_SIGNATURE";

/**
 * Checks a header as consensus checks a proposal: from proposer(height, round) of `validators` (the set of the
 * header's height), a member of it, and signed by it. Returns null when it passes.
 */
export function checkProposalHeader(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  header: ProposalHeader,
  validators: ValidatorSet,
): HeaderRefusal | null {
  if (validators.schedule.proposer(header.height, header.round) !== header.proposer) return "NOT_PROPOSER";
  const info = validators.byAgency.get(header.proposer);
  if (info === undefined) return "UNKNOWN_VALIDATOR";
  if (!verifyProposalHeaderSignature(h, verifier, chain, header, info)) return "BAD_SIGNATURE";
  return null;
}

/** Why a complete part set is not the proposal its header names: the proposer signed bytes that are no block of it. */
export type AssemblyFailure = "UNDECODABLE_BLOCK" | "WRONG_BLOCK_HASH";

/**
 * The signed proposal that the joined bytes of a complete, verified part set make: they must decode (strictly, so
 * they are the block's canonical bytes) to a block whose hash is the header's block hash.
 */
export function assembleProposal(
  h: Hasher,
  header: ProposalHeader,
  bytes: Uint8Array,
): { ok: true; proposal: SignedProposal } | { ok: false; failure: AssemblyFailure; detail: string } {
  let block: SignedProposal["block"];
  try {
    block = decodeBlock(bytes);
  } catch (e) {
    if (!(e instanceof EncodingError)) throw e;
    return { ok: false, failure: "UNDECODABLE_BLOCK", detail: e.message };
  }
  if (!bytesEqual(blockHash(h, block.header), header.blockHash))
    return {
      ok: false,
      failure: "WRONG_BLOCK_HASH",
      detail: "the parts decode to a block with another hash",
    };
  const { height, round, polRound, proposer, signature } = header;
  return { ok: true, proposal: { height, round, polRound, block, proposer, signature } };
}
