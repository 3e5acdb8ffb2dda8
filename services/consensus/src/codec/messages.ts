import { block, type CborValue, decodeCbor, EncodingError, encodeCbor, signedVote } from "@coken/ledger";
import type { ConsensusMessage, SignedProposal, SignedVote } from "../types.js";
import {
  agencyId,
  type Decoder,
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

/** Canonical CBOR of a signed proposal (the block inline, in the ledger's block encoding). */
export function encodeProposal(proposal: SignedProposal): Uint8Array {
  return encodeCbor(proposal as unknown as CborValue);
}

/** Parses proposal bytes; throws only `EncodingError`. */
export function decodeProposal(raw: Uint8Array): SignedProposal {
  return signedProposal(decodeCbor(raw), "proposal");
}

/** Canonical CBOR of a network message: `{kind: "proposal", proposal}` or `{kind: "vote", vote}`. */
export function encodeMessage(message: ConsensusMessage): Uint8Array {
  return encodeCbor(message as unknown as CborValue);
}

/** Parses network message bytes; throws only `EncodingError`. */
export function decodeMessage(raw: Uint8Array): ConsensusMessage {
  return consensusMessage(decodeCbor(raw), "message");
}
