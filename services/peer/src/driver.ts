import {
  type ConsensusInput,
  type ConsensusState,
  createConsensusState,
  type Effect,
  encodeEvidence,
  encodeVote,
  type Identity,
  type SignedProposal,
  type SignedVote,
  step,
  type Timeouts,
  type ValidatorInfo,
} from "@coken/consensus";
import {
  type Block,
  type CommitCertificate,
  type CommittedBlock,
  type DuplicateVoteEvidence,
  keys,
  type Verifier,
} from "@coken/ledger";
import type { Network } from "@coken/p2p";
import { type Store, type StoredLedger, StoreError } from "@coken/store";
import { BlockBuilder } from "./block-builder.js";
import { encodeProposalGossip, type ProposalGossip } from "./block-parts.js";
import { admitsNetworkInput, DEFAULT_INBOX_LIMITS } from "./inbox-bound.js";
import type { Logger } from "./log.js";
import type { Mempool } from "./mempool.js";
import { hostTimers, type Timers } from "./timers.js";
import { decodeWalInput, encodeWalInput } from "./wal-codec.js";

export interface DriverOptions {
  timeouts: Timeouts;
  /** Pause after a commit before the next height starts (CometBFT's timeout_commit). */
  commitDelayMs: number;
  /** How often this node re-sends its own messages of the current height (gossip may have missed a peer). */
  regossipMs: number;
  maxBlockTxs: number;
  maxBlockBytes: number;
  /**
   * Share (percent) of the round-0 propose timeout a proposed block may take to execute, by this node's measured
   * execution time per byte (`BlockSizer`); absent or 0: blocks are bounded by maxBlockBytes and maxBlockTxs only.
   */
  blockExecutionPercent?: number;
}

/** What consensus needs of the network; the libp2p `Network` provides it, and tests may pass an in-memory one. */
export type ConsensusNetwork = Pick<
  Network,
  "publish" | "onMessage" | "request" | "handle" | "peers" | "reportInvalid"
>;

export interface DriverComponents {
  chain: StoredLedger;
  store: Store;
  network: ConsensusNetwork;
  mempool: Mempool;
  verifier: Verifier;
  identity: Identity | null;
  now: () => number;
  /**
   * Timers on the clock `now` reads: timeouts, the commit delay, re-gossip. The host's by default; a simulation
   * passes a virtual clock's `now` and timers, so that time moves only when it says.
   */
  timers?: Timers;
  log: Logger;
  /** Told of every committed block, from consensus or block sync (the peer follows the agency set with it). */
  onCommit?: (committed: CommittedBlock) => void;
}

const STEP_NUMBER = { propose: 0, prevote: 1, precommit: 2 } as const;

/** The validators of the next height, with their keys, from committed state. */
export function validatorInfos(chain: StoredLedger): ValidatorInfo[] {
  const state = chain.ledger.state;
  return (state.get(keys.validators)?.validators ?? []).map((v) => {
    const agency = state.get(keys.agency(v.agency));
    if (agency === undefined) throw new Error(`validator ${v.agency} has no agency record`);
    return { ...v, publicKey: agency.publicKey, keyScheme: agency.keyScheme };
  });
}

/**
 * Runs consensus for one peer: the only writer of consensus state. Every input is appended to the WAL before it
 * is handled; this node's signatures are recorded in the sign state before they are sent; timers, the mempool,
 * the network and commits happen here, around the pure `step`.
 */
export class ConsensusDriver {
  private state: ConsensusState;
  // Closed until start() has replayed the WAL: an input handled before or between replayed ones (gossip, a
  // timer, block sync) would change what the replay signs again, and the store's refusal is waived during replay.
  private openQueue: () => void = () => {};
  private queue = new Promise<void>((resolve) => {
    this.openQueue = resolve;
  });
  private readonly inbox: ConsensusInput[] = [];
  private readonly pendingTimers = new Set<() => void>();
  // This node's messages of the height, for re-gossip; a proposal as its header and parts.
  private own: ({ kind: "vote"; vote: SignedVote } | { kind: "proposal"; gossip: ProposalGossip })[] = [];
  private stopped = false;
  private replaying = false;
  private failure: unknown = null;
  readonly counters = {
    inputs: 0,
    commits: 0,
    evidence: 0,
    invalidProposals: 0,
    sendFailures: 0,
    /** Inputs from the network dropped because the inbox was full. */
    inboxDrops: 0,
  };
  private readonly blocks: BlockBuilder;

  constructor(
    private readonly c: DriverComponents,
    private readonly options: DriverOptions,
  ) {
    this.state = this.freshState();
    this.blocks = new BlockBuilder(c, options, this.counters);
  }

  private freshState(): ConsensusState {
    const ledger = this.c.chain.ledger;
    return createConsensusState({
      chain: ledger.head.chain,
      hasher: ledger.hasher,
      verifier: this.c.verifier,
      identity: this.c.identity,
      validators: validatorInfos(this.c.chain),
      timeouts: this.options.timeouts,
    });
  }

  get height(): number {
    return this.c.chain.ledger.head.height;
  }

  /** The round consensus is in at `height`; 0 while it is not deciding that height (yet). */
  roundAt(height: number): number {
    return this.state.status === "running" && this.state.height === height ? this.state.round : 0;
  }

  /** The most tx bytes a block of this node holds (gossiped proposals are assembled within it). */
  get maxBlockBytes(): number {
    return this.options.maxBlockBytes;
  }

  /** Replays the WAL of the height in progress (re-sending what it signed), then starts or resumes it. */
  async start(): Promise<void> {
    this.blocks.lastCommit = await this.c.chain.headCommit();
    const entries = await this.c.store.consensus.readWal(this.height + 1);
    if (entries.length > 0)
      this.c.log.info("replaying WAL", { height: this.height + 1, entries: entries.length });
    this.replaying = true;
    try {
      for (const entry of entries) await this.handle(decodeWalInput(entry));
    } finally {
      this.replaying = false;
      this.openQueue();
    }
    // A start the height already had is ignored; one the crash cut off (after the commit, before the start was
    // logged, while messages of the next height were) is needed.
    this.submit({ kind: "start", height: this.height + 1, time: this.c.now() });
    this.every(this.options.regossipMs, () => this.regossip());
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.pendingTimers) cancel();
    this.pendingTimers.clear();
    this.openQueue();
    return this.queue;
  }

  /**
   * Queues an input; inputs are handled one at a time, in order. Inputs that arrive while others are being
   * handled wait in the inbox and are then written to the WAL together, in one transaction (group commit), before
   * any of them is handled.
   */
  submit(input: ConsensusInput): void {
    if (this.stopped) return;
    this.inbox.push(input);
    if (this.inbox.length > 1) return; // a drain is already queued and will take this input too
    this.queue = this.queue
      .then(() => (this.stopped ? undefined : this.drain()))
      .catch((e: unknown) => this.fail(e));
  }

  /**
   * Queues a vote or proposal from the network, unless the inbox is at its bound (`InboxLimits`): then it is
   * dropped and counted, as a lost message. Returns whether it was queued.
   */
  offer(input: ConsensusInput): boolean {
    const usage = {
      inputs: this.inbox.length,
      proposals: input.kind === "proposal" ? this.inbox.filter((i) => i.kind === "proposal").length : 0,
    };
    if (!admitsNetworkInput(usage, input, DEFAULT_INBOX_LIMITS)) {
      this.counters.inboxDrops++;
      return false;
    }
    this.submit(input);
    return true;
  }

  /** The byte budget of this node's next proposal (maxBlockBytes until execution times say otherwise). */
  get proposalBudget(): number {
    return this.blocks.budget;
  }

  private async drain(): Promise<void> {
    const batch = this.inbox.splice(0);
    if (batch.length === 0) return;
    await this.c.store.consensus.appendWalBatch(batch.map(encodeWalInput));
    for (const input of batch) {
      if (this.stopped) return;
      await this.handle(input);
    }
  }

  /** Runs `task` inside the queue, so it never interleaves with consensus steps (used by block sync). */
  exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.stopped ? undefined : task()));
    this.queue = run.catch((e: unknown) => this.fail(e));
    return run;
  }

  private fail(e: unknown): void {
    if (this.failure !== null) return;
    this.failure = e;
    this.c.log.error("consensus halted", { error: e instanceof Error ? e.message : String(e) });
    void this.stop();
  }

  get halted(): unknown {
    return this.failure;
  }

  /** Steps consensus with an input already in the WAL, and carries out the effects. */
  private async handle(input: ConsensusInput): Promise<void> {
    this.counters.inputs++;
    const out = step(this.state, input);
    this.state = out.state;
    for (const e of out.effects) await this.effect(e);
  }

  private async effect(e: Effect): Promise<void> {
    switch (e.kind) {
      case "signed":
        try {
          await this.c.store.consensus.setSignState({
            height: e.height,
            round: e.round,
            step: STEP_NUMBER[e.step],
            signBytes: e.signBytes,
          });
        } catch (err) {
          // Replaying the WAL re-creates messages signed before a crash, byte for byte (inputs carry their times);
          // the store keeps only the latest, so earlier ones read as a regression. Outside replay this halts.
          if (!(this.replaying && err instanceof StoreError && err.code === "SIGN_REGRESSION")) throw err;
        }
        return;
      case "broadcastVote":
        this.own.push({ kind: "vote", vote: e.vote });
        await this.publish("votes", encodeVote(e.vote));
        return;
      case "broadcastProposal": {
        const gossip = encodeProposalGossip(this.c.chain.ledger.hasher, e.proposal);
        this.own.push({ kind: "proposal", gossip });
        await this.publish("proposals", gossip.header);
        for (const part of gossip.parts) await this.publish("parts", part);
        return;
      }
      case "scheduleTimeout":
        this.after(e.delayMs, () =>
          this.submit({
            kind: "timeout",
            step: e.step,
            height: e.height,
            round: e.round,
            time: this.c.now(),
          }),
        );
        return;
      case "requestValue": {
        const block = this.blocks.buildBlock(this.c.now());
        if (block !== null) this.submit({ kind: "value", block, time: this.c.now() });
        return;
      }
      case "checkProposal":
        this.submit(this.proposalInput(e.proposal));
        return;
      case "evidence": {
        this.counters.evidence++;
        this.c.log.warn("duplicate vote evidence", {
          validator: e.evidence.voteA.validator,
          height: e.evidence.voteA.height,
        });
        const raw = encodeEvidence(e.evidence);
        this.addEvidence(raw, e.evidence);
        await this.publish("evidence", raw);
        return;
      }
      case "commit":
        await this.commit(e.block, e.certificate);
        return;
    }
  }

  /** A failed send is a lost message, which consensus tolerates (and re-gossip repairs); it must not halt it. */
  private async publish(
    topic: "votes" | "proposals" | "parts" | "evidence",
    bytes: Uint8Array,
  ): Promise<void> {
    try {
      await this.c.network.publish(topic, bytes);
    } catch (e) {
      this.counters.sendFailures++;
      this.c.log.warn("publish failed", {
        topic,
        bytes: bytes.length,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /** Keeps checked evidence (from this node's votes or from gossip) for a block this node will propose. */
  addEvidence(raw: Uint8Array, evidence: DuplicateVoteEvidence): void {
    this.blocks.addEvidence(raw, evidence);
  }

  /** The consensus input of a proposal, with valid(v) (`BlockBuilder.valid`). */
  proposalInput(proposal: SignedProposal): ConsensusInput {
    return { kind: "proposal", proposal, valid: this.blocks.valid(proposal), time: this.c.now() };
  }

  /** Commits a decided block (from consensus or block sync) and schedules the next height. */
  async commit(block: Block, certificate: CommitCertificate): Promise<void> {
    // Block sync may already have committed this height while consensus inputs for it were queued.
    if (block.header.height <= this.height) return;
    // The block and its certificate (this node's seen commit) are stored together; the next block this node
    // proposes carries the certificate as its lastCommit.
    const committed = await this.c.chain.apply(block, certificate);
    this.blocks.lastCommit = certificate;
    this.counters.commits++;
    this.c.mempool.update(committed);
    this.c.onCommit?.(committed);
    this.own = [];
    await this.c.store.consensus.pruneWalBelow(block.header.height + 1);
    this.c.log.debug("block committed", { height: block.header.height, txs: block.txs.length });
    const next = block.header.height + 1;
    this.after(this.options.commitDelayMs, () =>
      this.submit({
        kind: "start",
        height: next,
        time: this.c.now(),
        validators: validatorInfos(this.c.chain),
      }),
    );
  }

  /** After block sync moved the head: consensus restarts at the new height. */
  restartAtHead(): void {
    // The last synced block's own `start` may have come first: consensus then already runs this height and may
    // have signed in it, which a fresh state (and its empty double-sign guard) would forget.
    if (this.state.status !== "idle" && this.state.height === this.height + 1) return;
    this.state = this.freshState();
    this.own = [];
    this.submit({ kind: "start", height: this.height + 1, time: this.c.now() });
  }

  private regossip(): void {
    for (const m of this.own) {
      if (m.kind === "vote") void this.publish("votes", encodeVote(m.vote));
      else {
        void this.publish("proposals", m.gossip.header);
        for (const part of m.gossip.parts) void this.publish("parts", part);
      }
    }
  }

  private after(ms: number, f: () => void): void {
    if (this.stopped) return;
    const cancel = (this.c.timers ?? hostTimers).after(ms, () => {
      this.pendingTimers.delete(cancel);
      f();
    });
    this.pendingTimers.add(cancel);
  }

  private every(ms: number, f: () => void): void {
    this.after(ms, () => {
      f();
      this.every(ms, f);
    });
  }
}
