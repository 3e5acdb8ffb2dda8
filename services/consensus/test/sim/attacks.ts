import { blockHash, bytesEqual, decodeCbor, toHex } from "@coken/ledger";
import type { ConsensusMessage, SignedProposal, SignedVote } from "../../src/index.js";
import { hasher } from "../helpers.js";
import { conflictingProposal, packet, reproposal, revote, type Wire } from "./forge.js";
import type { Broadcast, Packet, SimNode } from "./node.js";

/*
 * Scripted attacks on the locking rules: one Byzantine node (f = 1) that lies at one height, and an adversary that
 * holds chosen messages until `releaseMs`, as the network may before it stabilises. Each attack makes one kind of
 * locking bug visible; with a correct core the honest nodes stay safe and decide once the messages are released.
 *
 * Most attacks are built from polka splits: in a split round the attacker prevotes the round's proposal to `polka`
 * and nil to the other honest nodes, and precommits it to `commit` only; each other honest node hears, of the honest
 * prevotes, only its own and that of polka[0]. So `polka` lock the proposal, `commit` decide it, and the others
 * precommit nil and move on. Until the release no block sync of that height leaves the deciders or the attacker, and
 * the deciders' precommits do not reach the attacker (whose state machine would decide and stop voting). After the
 * splits:
 * - amnesia (one split, a decision): the attacker forgets its lock and votes for whatever the next rounds propose,
 *   proposing a new block itself; only the locked node's refusal prevents a second decision.
 * - stale-pol (a split locking X, then one locking and deciding Y): the attacker re-proposes X with its old POL round
 *   (it really had a polka there, and the attacker now completes it for everyone), below the lock on Y.
 * - pol-not-below (one split, no decision): in the next round the attacker proposes a new block; the locked nodes get
 *   it late, after the others' prevotes for it, with that very round as its POL round.
 * - stall (one split, no decision): the attacker proposes nothing and votes nil; only the locked node's re-proposal of
 *   its valid value, with its POL round, can decide again.
 * - split: the attacker proposes in the split round one block to `polka` and another to the other honest nodes, votes
 *   for each on its side, and the two sides do not hear each other: each side with the attacker is a majority, no
 *   quorum.
 */

export const ATTACKS = ["amnesia", "stale-pol", "pol-not-below", "stall", "split"] as const;
export type AttackKind = (typeof ATTACKS)[number];

export function isAttack(behaviour: string): behaviour is AttackKind {
  return (ATTACKS as readonly string[]).includes(behaviour);
}

/** One round whose polka the attacker shows to some honest nodes only. */
export interface PolkaSplit {
  readonly round: number;
  /** Honest nodes that see the polka (split: the first block). */
  readonly polka: readonly number[];
  /** Of `polka`, those also shown the attacker's precommit, so that they decide. */
  readonly commit: readonly number[];
}

/** Where and on whom an attack is made; the attacker is the node whose behaviour is the attack's kind. */
export interface Attack {
  readonly height: number;
  /** In round order. */
  readonly splits: readonly PolkaSplit[];
  /** The adversary holds the messages the attack hides until then. */
  readonly releaseMs: number;
  /** pol-not-below: how long the proposal to the locked nodes is held. */
  readonly lateMs: number;
}

/** What the adversary reads off a packet. */
interface Heard {
  readonly kind: "proposal" | "prevote" | "precommit" | "sync" | "other";
  /** -1 when not known. */
  readonly height: number;
  /** -1 outside consensus messages. */
  readonly round: number;
}

type Fields = { height: number; round: number };

const heard = new WeakMap<Packet, Heard>();

/** Reads the kind, height and round off a packet without judging it (the receiver's decoder does that). */
function hear(p: Packet): Heard {
  let h = heard.get(p);
  if (h === undefined) {
    h = { kind: "other", height: -1, round: -1 };
    if (p.kind === "sync") h = { kind: "sync", height: p.block.header.height, round: -1 };
    else if (p.kind === "consensus") {
      const m = decodeCbor(p.bytes) as {
        vote?: Fields & { type: "prevote" | "precommit" };
        proposal?: Fields;
      };
      const f = m.vote ?? m.proposal;
      if (f !== undefined) h = { kind: m.vote?.type ?? "proposal", height: f.height, round: f.round };
    }
    heard.set(p, h);
  }
  return h;
}

/**
 * The adversary of a scenario: when a packet that `from` sends to `to` at `now` may start on its way (`now` unless
 * the attack hides it), or null when no node attacks.
 */
export function adversary(
  behaviours: readonly string[],
  attack: Attack | undefined,
): ((from: number, to: number, packet: Packet, now: number) => number) | null {
  const attacker = behaviours.findIndex(isAttack);
  const kind = behaviours[attacker];
  if (attack === undefined || kind === undefined || !isAttack(kind)) return null;
  return (from, to, packet, now) => heldUntil(kind, attack, attacker, from, to, hear(packet), now);
}

function heldUntil(
  kind: AttackKind,
  a: Attack,
  attacker: number,
  from: number,
  to: number,
  heard: Heard,
  now: number,
): number {
  if (heard.height !== a.height || now >= a.releaseMs) return now;
  // No block sync spreads a decided block before the release (the attacker serves none either).
  if (heard.kind === "sync") {
    return from === attacker || a.splits.some((s) => s.commit.includes(from)) ? a.releaseMs : now;
  }
  if (from === attacker) return kind === "pol-not-below" && late(a, to, heard) ? now + a.lateMs : now;
  if (kind === "split") {
    const side = a.splits[0]?.polka ?? [];
    return side.includes(from) !== side.includes(to) ? a.releaseMs : now;
  }
  const split = a.splits.find((s) => s.round === heard.round);
  if (split === undefined) return now;
  const hidesPolka =
    heard.kind === "prevote" && from !== split.polka[0] && to !== attacker && !split.polka.includes(to);
  // The attacker's own state machine must not decide either, or it would stop voting at this height.
  const hidesDecision = heard.kind === "precommit" && to === attacker && split.commit.includes(from);
  return hidesPolka || hidesDecision ? a.releaseMs : now;
}

function lastSplitRound(a: Attack): number {
  return a.splits.at(-1)?.round ?? -1;
}

/** pol-not-below: the attacker's proposal to a locked node, which must come after the others' prevotes. */
function late(a: Attack, to: number, heard: Heard): boolean {
  const split = a.splits.at(-1);
  return heard.kind === "proposal" && heard.round === lastSplitRound(a) + 1 && !!split?.polka.includes(to);
}

function sameValue(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null ? a === b : bytesEqual(a, b);
}

/** The hash of the first proposal `node` holds for `round` of the current height, or null. */
function proposed(node: SimNode, round: number): Uint8Array | null {
  return node.state.log.get(round)?.proposals[0]?.hash ?? null;
}

type ProposalMessage = Extract<ConsensusMessage, { kind: "proposal" }>;
type VoteMessage = Extract<ConsensusMessage, { kind: "vote" }>;

/** The attacker's broadcast: its honest state machine's messages, changed per peer as the attack needs. */
export function attackBroadcaster(kind: AttackKind, a: Attack, wire: Wire): Broadcast {
  // Forged messages are kept, so that a resend repeats them exactly and each is encoded once.
  const proposals = new Map<string, ProposalMessage>();
  const votes = new Map<string, VoteMessage>();
  /** The block the attacker proposes instead of its state machine's, by round (the same for every peer). */
  const replaced = new Map<number, { proposal: SignedProposal; hash: Uint8Array }>();
  /** Its prevotes for the proposal of each split round, which the nodes outside `polka` got as nil. */
  const hidden = new Map<number, VoteMessage>();
  const last = lastSplitRound(a);

  const replace = (node: SimNode, p: SignedProposal) => {
    let r = replaced.get(p.round);
    if (r === undefined) {
      const proposal = conflictingProposal(node, p, 1, -1);
      r = { proposal, hash: blockHash(hasher, proposal.block.header) };
      replaced.set(p.round, r);
    }
    return r;
  };
  const proposal = (p: SignedProposal, polRound: number, block = p.block): ProposalMessage => {
    const key = `${p.round}/${toHex(blockHash(hasher, block.header))}/${polRound}`;
    let m = proposals.get(key);
    if (m === undefined) {
      const same = polRound === p.polRound && block === p.block;
      m = { kind: "proposal", proposal: same ? p : reproposal(p, { block, polRound }) };
      proposals.set(key, m);
    }
    return m;
  };
  const vote = (v: SignedVote, hash: Uint8Array | null): VoteMessage => {
    const key = `${v.round}/${v.type}/${hash === null ? "nil" : toHex(hash)}`;
    let m = votes.get(key);
    if (m === undefined) {
      m = { kind: "vote", vote: sameValue(v.blockHash, hash) ? v : revote(v, hash) };
      votes.set(key, m);
    }
    return m;
  };

  /** What a peer gets for a proposal of the state machine (null: nothing). */
  const proposalFor = (node: SimNode, m: ProposalMessage, peer: number): ConsensusMessage | null => {
    const p = m.proposal;
    const first = a.splits[0];
    if (p.height !== a.height || first === undefined || p.round < first.round) return m;
    switch (kind) {
      case "split":
        return p.round === first.round && !first.polka.includes(peer)
          ? proposal(replace(node, p).proposal, -1)
          : m;
      case "amnesia":
        // It forgets its valid value and proposes a new block.
        return p.round > last && p.polRound >= 0 ? proposal(replace(node, p).proposal, -1) : m;
      case "stale-pol": {
        // The block of the first split, with that round as its POL round, whatever its state machine would propose.
        const old = node.state.log.get(first.round)?.proposals[0]?.proposal.block;
        return p.round > last && old !== undefined ? proposal(p, first.round, old) : m;
      }
      case "pol-not-below": {
        if (p.round !== last + 1) return m;
        const locked = a.splits.at(-1)?.polka.includes(peer) ?? false;
        return proposal(replace(node, p).proposal, locked ? p.round : -1);
      }
      case "stall":
        return p.round > last ? null : m;
    }
  };

  /** What a peer gets for a vote of the state machine. */
  const voteFor = (node: SimNode, m: VoteMessage, peer: number): ConsensusMessage => {
    const v = m.vote;
    if (v.height !== a.height) return m;
    const split = a.splits.find((s) => s.round === v.round);
    if (kind === "split") {
      if (split === undefined) return m;
      const mine = replaced.get(v.round)?.hash ?? null;
      return vote(v, split.polka.includes(peer) ? proposed(node, v.round) : mine);
    }
    if (split !== undefined) {
      const forIt = vote(v, proposed(node, v.round));
      if (v.type === "prevote") hidden.set(v.round, forIt);
      const shown = v.type === "prevote" ? split.polka : split.commit;
      return shown.includes(peer) ? forIt : vote(v, null);
    }
    if (v.round < last) return m;
    switch (kind) {
      case "amnesia":
        return vote(v, replaced.get(v.round)?.hash ?? proposed(node, v.round));
      case "pol-not-below": {
        const mine = replaced.get(v.round)?.hash;
        return v.round === last + 1 && mine !== undefined ? vote(v, mine) : m;
      }
      case "stall":
        return vote(v, null);
      case "stale-pol": {
        const first = a.splits[0];
        return first === undefined ? m : vote(v, proposed(node, first.round));
      }
    }
  };

  return (node, m) => {
    for (const peer of wire.peers(node.index)) {
      if (kind === "stale-pol" && m.kind === "proposal" && m.proposal.round > last) {
        // The prevote the peer got as nil, so that the old POL round the proposal names is complete for it.
        const pol = hidden.get(a.splits[0]?.round ?? -1);
        if (pol !== undefined) wire.send(node.index, peer, packet(pol));
      }
      const out = m.kind === "proposal" ? proposalFor(node, m, peer) : voteFor(node, m, peer);
      if (out !== null) wire.send(node.index, peer, packet(out));
    }
  };
}
