import {
  type Block,
  blockHash,
  type CommitCertificate,
  EncodingError,
  toHex,
  verifyCommit,
} from "@coken/ledger";
import {
  type ConsensusConfig,
  type ConsensusInput,
  type ConsensusMessage,
  type ConsensusState,
  type DuplicateVoteEvidence,
  type Effect,
  encodeEvidence,
  type SignedProposal,
  type SignedRecord,
  type Step,
} from "../../src/index.js";
import { CHAIN, hasher } from "../helpers.js";
import { applyBlock, type ChainHead, validateBlock } from "./app.js";
import type { ConsensusCore } from "./core.js";
import { simVerifier as verifier } from "./verifier.js";

/**
 * What peers exchange: consensus message bytes, a decided block with its certificate (block sync), or an
 * observer's request for the block of `height` (it sends no messages a peer could see it lagging by).
 */
export type Packet =
  | { kind: "consensus"; bytes: Uint8Array }
  | { kind: "sync"; block: Block; certificate: CommitCertificate }
  | { kind: "behind"; height: number };

/** Events a node schedules for itself; dropped if the node crashed in between. */
export type LocalEvent =
  | { kind: "timeout"; step: Step; height: number; round: number }
  | { kind: "start" }
  | { kind: "value"; height: number; round: number }
  | { kind: "check"; proposal: SignedProposal }
  | { kind: "gossip" };

/** What a node may do to the world around it. */
export interface NodeEnv {
  /** The head before block 1: the genesis validator set and the scripted set changes. */
  readonly genesis: ChainHead;
  readonly targetHeight: number;
  readonly gossipIntervalMs: number;
  now(): number;
  later(node: number, delayMs: number, event: LocalEvent): void;
  committed(node: number, block: Block, certificate: CommitCertificate, via: "consensus" | "sync"): void;
  evidence(node: number, evidence: DuplicateVoteEvidence): void;
}

/** Sends a consensus message to peers; Byzantine nodes override it. */
export type Broadcast = (node: SimNode, message: ConsensusMessage, resend: boolean) => void;

const COMMIT_DELAY_MS = 20;

/** Height of a message input, or -1 for other inputs. */
function messageHeightOf(i: ConsensusInput): number {
  return i.kind === "vote" ? i.vote.height : i.kind === "proposal" ? i.proposal.height : -1;
}

/**
 * The driver around one consensus state machine: persists the node's inputs (the WAL, written before each step)
 * and signed records, runs the effects, answers block requests from a tiny app, gossips its own latest messages
 * again (the network may have lost them) and serves block sync to peers that lag.
 */
export class SimNode {
  // Persisted: survives a crash.
  head: ChainHead;
  chain: { block: Block; certificate: CommitCertificate }[] = [];
  wal: ConsensusInput[] = [];
  signed: SignedRecord[] = [];
  // Volatile.
  state!: ConsensusState;
  down = false;
  incarnation = 0;
  own: ConsensusMessage[] = [];
  pendingEvidence = new Map<string, Uint8Array>();
  private syncServed = new Map<string, number>();
  private validity = new Map<string, boolean>();

  constructor(
    readonly index: number,
    readonly config: ConsensusConfig,
    private readonly env: NodeEnv,
    private readonly broadcast: Broadcast,
    readonly sendTo: (from: number, to: number, packet: Packet) => void,
    private readonly core: ConsensusCore,
  ) {
    this.head = env.genesis;
  }

  get agency(): string {
    return this.config.identity?.agency ?? `observer-${this.index}`;
  }

  /**
   * Builds the state from what was persisted: replays the WAL if it holds the start of a height not yet committed,
   * otherwise feeds back the later-height messages it kept and starts the next height.
   */
  boot(): void {
    this.state = this.core.createConsensusState(this.config, { signed: this.signed });
    this.own = [];
    const start = this.wal.find((i) => i.kind === "start");
    if (start !== undefined && start.height > this.head.height) {
      for (const input of this.wal) this.apply(input);
    } else {
      const kept = this.wal.filter((i) => messageHeightOf(i) > this.head.height);
      this.wal = [];
      for (const input of kept) this.input(input);
      this.startNext();
    }
    this.env.later(this.index, this.env.gossipIntervalMs, { kind: "gossip" });
  }

  crash(): void {
    this.down = true;
    this.incarnation++;
  }

  restart(): void {
    this.down = false;
    this.incarnation++;
    this.boot();
  }

  private startNext(): void {
    if (this.head.height >= this.env.targetHeight) return;
    const validators = this.head.validators;
    this.input({ kind: "start", height: this.head.height + 1, time: this.env.now(), validators });
  }

  /**
   * Logs the input first, then steps. A `start` truncates the WAL to itself, keeping the messages already received
   * for this height or later (the state machine buffered them; a replay must buffer them again).
   */
  input(input: ConsensusInput): void {
    if (input.kind === "start")
      this.wal = [...this.wal.filter((i) => messageHeightOf(i) >= input.height), input];
    else this.wal.push(input);
    this.apply(input);
  }

  private apply(input: ConsensusInput): void {
    const out = this.core.step(this.state, input);
    this.state = out.state;
    for (const e of out.effects) this.effect(e);
  }

  private effect(e: Effect): void {
    switch (e.kind) {
      case "signed": {
        const { height, round, step: s, signBytes } = e;
        this.signed = [
          ...this.signed.filter((r) => r.height >= height),
          { height, round, step: s, signBytes },
        ];
        break;
      }
      case "broadcastVote":
      case "broadcastProposal": {
        const m: ConsensusMessage =
          e.kind === "broadcastVote"
            ? { kind: "vote", vote: e.vote }
            : { kind: "proposal", proposal: e.proposal };
        this.own.push(m);
        this.broadcast(this, m, false);
        break;
      }
      case "scheduleTimeout":
        this.env.later(this.index, e.delayMs, {
          kind: "timeout",
          step: e.step,
          height: e.height,
          round: e.round,
        });
        break;
      case "requestValue":
        this.env.later(this.index, 1, { kind: "value", height: e.height, round: e.round });
        break;
      case "commit":
        this.commit(e.block, e.certificate, "consensus");
        break;
      case "evidence":
        this.env.evidence(this.index, e.evidence);
        this.pendingEvidence.set(toHex(encodeEvidence(e.evidence)), encodeEvidence(e.evidence));
        break;
      case "checkProposal":
        this.env.later(this.index, 0, { kind: "check", proposal: e.proposal });
        break;
    }
  }

  private commit(block: Block, certificate: CommitCertificate, via: "consensus" | "sync"): void {
    if (block.header.height !== this.head.height + 1) return;
    this.head = applyBlock(this.head, block);
    this.chain.push({ block, certificate });
    this.validity.clear();
    for (const raw of block.evidence) this.pendingEvidence.delete(toHex(raw));
    this.env.committed(this.index, block, certificate, via);
    this.env.later(this.index, COMMIT_DELAY_MS, { kind: "start" });
  }

  /** Runs one of its own scheduled events. */
  local(event: LocalEvent, build: (node: SimNode, height: number) => Block): void {
    const time = this.env.now();
    switch (event.kind) {
      case "timeout":
        this.input({ kind: "timeout", step: event.step, height: event.height, round: event.round, time });
        break;
      case "start":
        if (this.state.height <= this.head.height) this.startNext();
        break;
      case "value":
        if (
          this.state.awaitingValue &&
          this.state.height === event.height &&
          this.state.round === event.round
        ) {
          this.input({ kind: "value", block: build(this, event.height), time });
        }
        break;
      case "check":
        this.receiveProposal(event.proposal);
        break;
      case "gossip":
        for (const m of this.own) {
          const h = m.kind === "vote" ? m.vote.height : m.proposal.height;
          const r = m.kind === "vote" ? m.vote.round : m.proposal.round;
          if (h === this.state.height && r >= this.state.round - 1) this.broadcast(this, m, true);
        }
        this.own = this.own.filter(
          (m) => (m.kind === "vote" ? m.vote.height : m.proposal.height) >= this.state.height,
        );
        this.env.later(this.index, this.env.gossipIntervalMs, { kind: "gossip" });
        break;
    }
  }

  private receiveProposal(proposal: SignedProposal): void {
    let valid = false;
    if (proposal.height === this.head.height + 1) {
      // Resends are common; check each block once per chain head, as a real driver would cache it.
      const key = `${this.head.height}/${toHex(blockHash(hasher, proposal.block.header))}/${proposal.block.evidence.length}`;
      const known = this.validity.get(key);
      valid = known ?? validateBlock(proposal.block, this.head);
      if (known === undefined) this.validity.set(key, valid);
    }
    this.input({ kind: "proposal", proposal, valid, time: this.env.now() });
  }

  /** A packet from a peer. */
  receive(from: number, packet: Packet, servesSync: boolean): void {
    if (packet.kind === "sync") {
      this.adopt(packet.block, packet.certificate);
      return;
    }
    if (packet.kind === "behind") {
      if (servesSync) this.serveSync(from, packet.height);
      return;
    }
    const message = this.decode(packet.bytes);
    if (message === null) return;
    const height = message.kind === "vote" ? message.vote.height : message.proposal.height;
    if (height <= this.head.height) {
      if (servesSync) this.serveSync(from, height);
      return;
    }
    const observer = !this.head.validators.some((v) => v.agency === this.agency);
    if (observer && height > this.head.height + 1) {
      this.sendTo(this.index, from, { kind: "behind", height: this.head.height + 1 });
    }
    if (message.kind === "vote") this.input({ kind: "vote", vote: message.vote, time: this.env.now() });
    else this.receiveProposal(message.proposal);
  }

  /** A peer's bytes as a message, or null when they do not decode (the driver drops them, as a peer does). */
  private decode(bytes: Uint8Array): ConsensusMessage | null {
    try {
      return this.core.decodeMessage(bytes);
    } catch (e) {
      if (e instanceof EncodingError) return null;
      throw e;
    }
  }

  private serveSync(to: number, height: number): void {
    const key = `${to}/${height}`;
    const last = this.syncServed.get(key);
    if (last !== undefined && this.env.now() - last < this.env.gossipIntervalMs) return;
    this.syncServed.set(key, this.env.now());
    const entry = this.chain[height - 1];
    if (entry !== undefined) this.sendTo(this.index, to, { kind: "sync", ...entry });
  }

  /** Block sync: a certified block for the next height replaces deciding it. */
  private adopt(block: Block, certificate: CommitCertificate): void {
    if (block.header.height !== this.head.height + 1) return;
    if (!validateBlock(block, this.head)) return;
    const expected = { height: block.header.height, blockHash: blockHash(hasher, block.header) };
    const validators = this.head.validators;
    if (!verifyCommit(hasher, verifier, CHAIN, certificate, expected, validators).ok) return;
    this.commit(block, certificate, "sync");
  }
}
