import { blockHash } from "@coken/ledger";
import type { ConsensusMessage, SignedVote } from "../../src/index.js";
import { hasher } from "../helpers.js";
import { type Attack, type AttackKind, attackBroadcaster, isAttack } from "./attacks.js";
import { conflictingProposal, packet, revote, type Wire } from "./forge.js";
import type { Broadcast, SimNode } from "./node.js";
import type { Prng } from "./prng.js";

/** The second vote of a double voter: nil for a block vote, a block nobody proposed for a nil vote. */
function otherVote(v: SignedVote, rng: Prng): SignedVote {
  return revote(
    v,
    v.blockHash === null ? hasher.hash("sim.ghost", new Uint8Array([rng.u32() & 0xff])) : null,
  );
}

/**
 * How a node behaves on the wire. Byzantine nodes run the honest state machine and lie only in what they send:
 * - equivocate: as proposer, signs a second block for the same round and gives each peer one of the two;
 * - double-vote: signs a second, conflicting vote for every vote and sends peers both, in random order;
 * - withhold: sends its prevotes and nothing else (no proposals, precommits or block sync);
 * - silent: sends nothing;
 * - chaos: equivocate and double-vote together;
 * - an attack kind (attacks.ts): the scripted attack of the scenario.
 */
export type Behaviour =
  | "honest"
  | "equivocate"
  | "double-vote"
  | "withhold"
  | "silent"
  | "chaos"
  | AttackKind;

export const BYZANTINE: readonly Behaviour[] = ["equivocate", "double-vote", "withhold", "silent", "chaos"];

/** The broadcast of a node with `behaviour`; an attacker follows `attack`. */
export function broadcaster(behaviour: Behaviour, wire: Wire, attack?: Attack): Broadcast {
  if (isAttack(behaviour)) {
    if (attack === undefined) throw new Error(`behaviour ${behaviour} needs the scenario's attack`);
    return attackBroadcaster(behaviour, attack, wire);
  }
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
          : { kind: "proposal", proposal: conflictingProposal(node, m.proposal, 1) };
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
