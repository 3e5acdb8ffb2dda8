import { blockHash } from "@coken/ledger";
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
import type { Broadcast, Packet, SimNode } from "./node.js";
import type { Prng } from "./prng.js";

/**
 * How a node behaves on the wire. Byzantine nodes run the honest state machine and lie only in what they send:
 * - equivocate: as proposer, signs a second block for the same round and gives each peer one of the two;
 * - double-vote: signs a second, conflicting vote for every vote and sends peers both, in random order;
 * - withhold: sends its prevotes and nothing else (no proposals, precommits or block sync);
 * - silent: sends nothing;
 * - chaos: equivocate and double-vote together.
 */
export type Behaviour = "honest" | "equivocate" | "double-vote" | "withhold" | "silent" | "chaos";

export const BYZANTINE: readonly Behaviour[] = ["equivocate", "double-vote", "withhold", "silent", "chaos"];

export interface Wire {
  readonly rng: Prng;
  peers(node: number): number[];
  send(from: number, to: number, packet: Packet): void;
}

const encoded = new WeakMap<ConsensusMessage, Packet>();

/** Encodes a message once however many peers and resends it goes to. */
function packet(m: ConsensusMessage): Packet {
  let p = encoded.get(m);
  if (p === undefined) {
    p = { kind: "consensus", bytes: encodeMessage(m) };
    encoded.set(m, p);
  }
  return p;
}

/** The second proposal of an equivocating proposer: the same round, another block on the same parent. */
function otherProposal(node: SimNode, p: SignedProposal): SignedProposal {
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
    1,
  );
  return signProposal(hasher, testSigner(p.proposer), CHAIN, { ...p, block });
}

/** The second vote of a double voter: nil for a block vote, a block nobody proposed for a nil vote. */
function otherVote(v: SignedVote, rng: Prng): SignedVote {
  const blockHashOther =
    v.blockHash === null ? hasher.hash("sim.ghost", new Uint8Array([rng.u32() & 0xff])) : null;
  return signVote(hasher, testSigner(v.validator), CHAIN, { ...v, blockHash: blockHashOther });
}

/** The broadcast of a node with `behaviour`. */
export function broadcaster(behaviour: Behaviour, wire: Wire): Broadcast {
  const alternatives = new Map<string, ConsensusMessage>();
  const alternative = (node: SimNode, m: ConsensusMessage): ConsensusMessage => {
    const key =
      m.kind === "vote"
        ? `v/${m.vote.height}/${m.vote.round}/${m.vote.type}`
        : `p/${m.proposal.height}/${m.proposal.round}/${blockHash(hasher, m.proposal.block.header).join(",")}`;
    let alt = alternatives.get(key);
    if (alt === undefined) {
      alt =
        m.kind === "vote"
          ? { kind: "vote", vote: otherVote(m.vote, wire.rng) }
          : { kind: "proposal", proposal: otherProposal(node, m.proposal) };
      alternatives.set(key, alt);
    }
    return alt;
  };
  const equivocates = behaviour === "equivocate" || behaviour === "chaos";
  const doubleVotes = behaviour === "double-vote" || behaviour === "chaos";

  return (node, m) => {
    if (behaviour === "silent") return;
    if (behaviour === "withhold" && !(m.kind === "vote" && m.vote.type === "prevote")) return;
    for (const peer of wire.peers(node.index)) {
      if (m.kind === "proposal" && equivocates) {
        wire.send(node.index, peer, packet(wire.rng.chance(0.5) ? m : alternative(node, m)));
      } else if (m.kind === "vote" && doubleVotes) {
        const both = wire.rng.shuffle([m, alternative(node, m)]);
        for (const x of both) wire.send(node.index, peer, packet(x));
      } else {
        wire.send(node.index, peer, packet(m));
      }
    }
  };
}
