import {
  type ConsensusMessage,
  encodeMessage,
  type SignedProposal,
  type SignedVote,
  signProposal,
  signVote,
} from "../../src/index.js";
import { CHAIN, hasher, testSigner } from "../helpers.js";
import { buildBlock } from "./app.js";
import type { Packet, SimNode } from "./node.js";
import type { Prng } from "./prng.js";

/** The network as a sending node sees it. */
export interface Wire {
  readonly rng: Prng;
  peers(node: number): number[];
  send(from: number, to: number, packet: Packet): void;
}

const encoded = new WeakMap<ConsensusMessage, Packet>();

/** Encodes a message once however many peers and resends it goes to. */
export function packet(m: ConsensusMessage): Packet {
  let p = encoded.get(m);
  if (p === undefined) {
    p = { kind: "consensus", bytes: encodeMessage(m) };
    encoded.set(m, p);
  }
  return p;
}

/**
 * A proposal for the same height and round as `p` signed by the same proposer, of another block on the same parent
 * (`salt` tells the blocks apart), with POL round `polRound`.
 */
export function conflictingProposal(
  node: SimNode,
  p: SignedProposal,
  salt: number,
  polRound = p.polRound,
): SignedProposal {
  const b = p.block;
  const head = {
    ...node.head,
    height: b.header.height - 1,
    hash: b.header.prevHash,
    appHash: b.header.appHash,
  };
  const block = buildBlock(
    head,
    p.proposer,
    b.header.time,
    node.config.validators,
    b.lastCommit,
    b.evidence,
    salt,
  );
  return signProposal(hasher, testSigner(p.proposer), CHAIN, { ...p, polRound, block });
}

/** `p` signed again with another block or POL round. */
export function reproposal(p: SignedProposal, change: Partial<Pick<SignedProposal, "block" | "polRound">>) {
  return signProposal(hasher, testSigner(p.proposer), CHAIN, { ...p, ...change });
}

/** `v` signed again for another value (a block hash, or nil). */
export function revote(v: SignedVote, blockHash: Uint8Array | null): SignedVote {
  return signVote(hasher, testSigner(v.validator), CHAIN, { ...v, blockHash });
}
