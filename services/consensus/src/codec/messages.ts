import { block, type CborValue, decodeCbor, EncodingError, encodeCbor, signedVote } from "@coken/ledger";
import { BLOCK_PART_BYTES, MAX_BLOCK_PARTS } from "../parts.js";
import type {
  BlockPart,
  ConsensusMessage,
  PartSetHeader,
  ProposalHeader,
  SignedProposal,
  SignedVote,
} from "../types.js";
import {
  agencyId,
  array,
  bytes,
  type Decoder,
  hash32,
  isMap,
  literal,
  roundOrNone,
  signature,
  struct,
  uint,
} from "./combinators.js";

/** Decoder of a signed vote. */
export { signedVote };

/** Decoder of a signed proposal; its POL round must be -1 or an earlier round. */
export const signedProposal: Decoder<SignedProposal> = (v, path) => {
  const p = struct({
    height: uint,
    round: uint,
    polRound: roundOrNone,
    block,
    proposer: agencyId,
    signature,
  })(v, path);
  // The POL of a proposal is always an earlier round of the same height.
  if (p.polRound >= p.round)
    throw new EncodingError("SCHEMA", "polRound must be below round", `${path}.polRound`);
  return p;
};

/** A part count: 1 … MAX_BLOCK_PARTS. */
const partTotal: Decoder<number> = (v, path) => {
  const n = uint(v, path);
  if (n < 1 || n > MAX_BLOCK_PARTS)
    throw new EncodingError("SCHEMA", `expected 1 … ${MAX_BLOCK_PARTS} parts`, path);
  return n;
};

const partSetHeader: Decoder<PartSetHeader> = struct({ total: partTotal, root: hash32 });

/** Decoder of a signed proposal header; its POL round must be -1 or an earlier round. */
export const proposalHeader: Decoder<ProposalHeader> = (v, path) => {
  const p = struct({
    height: uint,
    round: uint,
    polRound: roundOrNone,
    blockHash: hash32,
    parts: partSetHeader,
    proposer: agencyId,
    signature,
  })(v, path);
  if (p.polRound >= p.round)
    throw new EncodingError("SCHEMA", "polRound must be below round", `${path}.polRound`);
  return p;
};

// A proof has one sibling per level of a tree of at most MAX_BLOCK_PARTS leaves.
const MAX_PROOF_HASHES = Math.ceil(Math.log2(MAX_BLOCK_PARTS));

/** Decoder of a block part: at most one part's bytes and one proof's hashes (their fit is checked by `verifyPart`). */
export const blockPart: Decoder<BlockPart> = struct({
  height: uint,
  round: uint,
  index: uint,
  bytes: bytes(undefined, BLOCK_PART_BYTES),
  proof: array(hash32, MAX_PROOF_HASHES),
});

/** Largest encoding of a proposal header (long agency id, 128-byte signature, largest integers), rounded up. */
export const MAX_PROPOSAL_HEADER_BYTES = 1024;
/** Largest encoding of a block part: one part's bytes plus its fields and a full proof (under 700 bytes). */
export const MAX_BLOCK_PART_MESSAGE_BYTES = BLOCK_PART_BYTES + 1024;

const proposalMessage = struct({ kind: literal("proposal"), proposal: signedProposal });
const voteMessage = struct({ kind: literal("vote"), vote: signedVote });

/** Decoder of a network message, tagged by `kind`. */
export const consensusMessage: Decoder<ConsensusMessage> = (v, path) => {
  if (!isMap(v)) throw new EncodingError("SCHEMA", "expected map", path);
  const kind = literal("proposal", "vote")(v.kind ?? null, `${path}.kind`);
  return kind === "proposal" ? proposalMessage(v, path) : voteMessage(v, path);
};

/** Canonical CBOR of a signed vote. */
export function encodeVote(vote: SignedVote): Uint8Array {
  return encodeCbor(vote as unknown as CborValue);
}

/** Parses vote bytes; throws only `EncodingError`. */
export function decodeVote(raw: Uint8Array): SignedVote {
  return signedVote(decodeCbor(raw), "vote");
}

/** Canonical CBOR of a signed proposal with its block inline (the WAL's form of an assembled proposal). */
export function encodeProposal(proposal: SignedProposal): Uint8Array {
  return encodeCbor(proposal as unknown as CborValue);
}

/** Parses proposal bytes; throws only `EncodingError`. */
export function decodeProposal(raw: Uint8Array): SignedProposal {
  return signedProposal(decodeCbor(raw), "proposal");
}

/** Canonical CBOR of a proposal header, as gossiped on `proposals`. */
export function encodeProposalHeader(header: ProposalHeader): Uint8Array {
  return encodeCbor(header as unknown as CborValue);
}

/** Parses proposal header bytes; throws only `EncodingError`. */
export function decodeProposalHeader(raw: Uint8Array): ProposalHeader {
  return proposalHeader(decodeCbor(raw), "header");
}

/** Canonical CBOR of a block part, as gossiped on `parts`. */
export function encodeBlockPart(part: BlockPart): Uint8Array {
  return encodeCbor(part as unknown as CborValue);
}

/** Parses block part bytes; throws only `EncodingError`. */
export function decodeBlockPart(raw: Uint8Array): BlockPart {
  return blockPart(decodeCbor(raw), "part");
}

/** Canonical CBOR of a network message: `{kind: "proposal", proposal}` or `{kind: "vote", vote}`. */
export function encodeMessage(message: ConsensusMessage): Uint8Array {
  return encodeCbor(message as unknown as CborValue);
}

/** Parses network message bytes; throws only `EncodingError`. */
export function decodeMessage(raw: Uint8Array): ConsensusMessage {
  return consensusMessage(decodeCbor(raw), "message");
}
