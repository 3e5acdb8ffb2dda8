import { decodeProposalHeader, decodeVote, type Identity, type ProposalHeader } from "@coken/consensus";
import { createVerifier, type Genesis, type SignedVote } from "@coken/ledger";
import type { GossipHandler, GossipTopic, PeerId, RequestOptions, SyncHandler } from "@coken/p2p";
import { type SignState, type Store, StoredLedger, type WalRecord } from "@coken/store";
import { PGlite } from "@electric-sql/pglite";
import type {
  openPgliteClient as OpenPgliteClient,
  PGLITE_START_PARAMS as StartParams,
} from "../../store/dist/src/open.js";
import { createCachingVerifier } from "../src/caching-verifier.js";
import { ConsensusDriver, type ConsensusNetwork, type DriverOptions } from "../src/driver.js";
import { attachGossipHandlers } from "../src/gossip-handlers.js";
import type { Logger } from "../src/log.js";
import { Mempool } from "../src/mempool.js";
import { BlockSync, serveBlocks } from "../src/sync.js";
import type { Timers } from "../src/timers.js";
import { decodeWalInput } from "../src/wal-codec.js";

// ---------------------------------------------------------------------------------------------------------------
// In-memory PGlite stores: one migrated image, cloned once per node and emptied between scenarios.

// The store package exports only its index; `openPgliteClient` (to migrate a cloned PGlite) lives in open.js.
const { openPgliteClient, PGLITE_START_PARAMS } = (await import(
  new URL("../../../store/dist/src/open.js", import.meta.url).href
)) as { openPgliteClient: typeof OpenPgliteClient; PGLITE_START_PARAMS: typeof StartParams };

/** A store over a PGlite instance this test can also reach directly (to empty it between scenarios). */
export interface TestStore {
  store: Store;
  client: PGlite;
}

/** Makes `count` migrated in-memory stores, paying PGlite's initdb once: the first one's image starts the others. */
export async function makeStores(count: number): Promise<TestStore[]> {
  if (count < 1) return [];
  const startParams = [...PGLITE_START_PARAMS];
  const first = await PGlite.create({ startParams });
  const out: TestStore[] = [{ store: await openPgliteClient(first), client: first }];
  if (count === 1) return out;
  const image = await first.dumpDataDir("none");
  for (let i = 1; i < count; i++) {
    const client = await PGlite.create({ loadDataDir: image, startParams });
    out.push({ store: await openPgliteClient(client), client });
  }
  return out;
}

/**
 * Empties every table of the store (the migrations bookkeeping lives in another schema and stays). It deletes the
 * rows, with foreign keys unchecked meanwhile, rather than truncating: a truncated table gets new files, which PGlite
 * then opens anew, and the scenario that follows runs markedly slower.
 */
export async function emptyStore(s: TestStore): Promise<void> {
  const { rows } = await s.client.query<{ tablename: string }>(
    "select tablename from pg_tables where schemaname = 'public'",
  );
  if (rows.length === 0) return;
  const deletes = rows.map((r) => `delete from "public"."${r.tablename}";`).join(" ");
  await s.client.exec(`begin; set local session_replication_role = replica; ${deletes} commit;`);
}

// ---------------------------------------------------------------------------------------------------------------
// An in-memory network: what one node publishes reaches every other connected node's handlers, asynchronously
// (on the next turn of the event loop, or when the hub's `deliver` schedules it).

const peerIds = new Map<string, PeerId>();

/** A stand-in for a libp2p peer id: the agency name is enough in one process. */
export function fakePeerId(name: string): PeerId {
  let id = peerIds.get(name);
  if (id === undefined) {
    id = {
      toString: () => name,
      equals: (other: unknown) => other !== null && other !== undefined && String(other) === name,
    } as unknown as PeerId;
    peerIds.set(name, id);
  }
  return id;
}

export interface Published {
  from: string;
  topic: GossipTopic;
  data: Uint8Array;
}

/** One node's connection to the hub. A closed endpoint neither sends nor receives anything more. */
export class InProcEndpoint implements ConsensusNetwork {
  private readonly handlers = new Map<GossipTopic, Set<GossipHandler>>();
  private syncHandler: SyncHandler | null = null;
  closed = false;

  constructor(
    private readonly hub: InProcHub,
    readonly name: string,
  ) {}

  async publish(topic: GossipTopic, data: Uint8Array): Promise<number> {
    if (this.closed) return 0;
    this.hub.published.push({ from: this.name, topic, data });
    const targets = this.hub.others(this.name);
    const from = fakePeerId(this.name);
    for (const target of targets) this.hub.schedule(() => target.deliver(topic, data, from));
    return targets.length;
  }

  onMessage(topic: GossipTopic, handler: GossipHandler): () => void {
    const set = this.handlers.get(topic) ?? new Set<GossipHandler>();
    set.add(handler);
    this.handlers.set(topic, set);
    return () => {
      set.delete(handler);
    };
  }

  async request(peer: PeerId, data: Uint8Array, _options?: RequestOptions): Promise<Uint8Array> {
    if (this.closed) throw new Error("in-process network: endpoint closed");
    const target = this.hub.endpoint(peer.toString());
    if (target === undefined || target.closed || target.syncHandler === null)
      throw new Error(`in-process network: ${peer.toString()} is not connected`);
    this.hub.requestsInFlight++;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await target.syncHandler(data, fakePeerId(this.name));
    } finally {
      this.hub.requestsInFlight--;
    }
  }

  handle(handler: SyncHandler): void {
    this.syncHandler = handler;
  }

  peers(): PeerId[] {
    return this.closed ? [] : this.hub.others(this.name).map((e) => fakePeerId(e.name));
  }

  reportInvalid(peer: PeerId | string, reason: string): void {
    this.hub.invalid.push({ reporter: this.name, peer: peer.toString(), reason });
  }

  /** Drops every handler: the node receives nothing more. */
  close(): void {
    this.closed = true;
    this.handlers.clear();
    this.syncHandler = null;
    this.hub.detach(this);
  }

  deliver(topic: GossipTopic, data: Uint8Array, from: PeerId): void {
    if (this.closed) return;
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        const result = handler(data, from);
        if (result instanceof Promise) result.catch((e: unknown) => this.hub.handlerErrors.push(e));
      } catch (e) {
        this.hub.handlerErrors.push(e);
      }
    }
  }
}

export interface InProcHubOptions {
  /**
   * Schedules the delivery of one published message to one node: the next turn of the event loop by default. A
   * simulation passes its virtual clock's timer, so that messages arrive one at a time, in an order it decides.
   */
  deliver?: (send: () => void) => void;
}

/** The nodes of one in-process network, with everything they published and reported. */
export class InProcHub {
  private readonly endpoints = new Map<string, InProcEndpoint>();
  readonly published: Published[] = [];
  readonly invalid: { reporter: string; peer: string; reason: string }[] = [];
  readonly handlerErrors: unknown[] = [];
  /** Block sync requests sent and not answered yet (they are answered at once, without the scheduler). */
  requestsInFlight = 0;
  readonly schedule: (send: () => void) => void;

  constructor(options: InProcHubOptions = {}) {
    this.schedule = options.deliver ?? ((send) => setImmediate(send));
  }

  /** Connects a node (a restarted one gets a new endpoint; its old one must be closed). */
  connect(name: string): InProcEndpoint {
    const old = this.endpoints.get(name);
    if (old !== undefined && !old.closed) throw new Error(`${name} is connected already`);
    const endpoint = new InProcEndpoint(this, name);
    this.endpoints.set(name, endpoint);
    return endpoint;
  }

  endpoint(name: string): InProcEndpoint | undefined {
    return this.endpoints.get(name);
  }

  others(name: string): InProcEndpoint[] {
    return [...this.endpoints.values()].filter((e) => e.name !== name && !e.closed);
  }

  detach(endpoint: InProcEndpoint): void {
    if (this.endpoints.get(endpoint.name) === endpoint) this.endpoints.delete(endpoint.name);
  }

  close(): void {
    for (const e of [...this.endpoints.values()]) e.close();
  }
}

/** The votes and proposal headers `agency` published, decoded (a header stands for its proposal and parts). */
export function signedBy(
  published: readonly Published[],
  agency: string,
): { votes: SignedVote[]; proposals: ProposalHeader[]; raw: Map<string, Uint8Array[]> } {
  const votes: SignedVote[] = [];
  const proposals: ProposalHeader[] = [];
  const raw = new Map<string, Uint8Array[]>();
  const keep = (key: string, data: Uint8Array) => {
    const list = raw.get(key) ?? [];
    list.push(data);
    raw.set(key, list);
  };
  for (const p of published) {
    if (p.from !== agency) continue;
    if (p.topic === "votes") {
      const v = decodeVote(p.data);
      votes.push(v);
      keep(`${v.height}/${v.round}/${v.type}`, p.data);
    } else if (p.topic === "proposals") {
      const prop = decodeProposalHeader(p.data);
      proposals.push(prop);
      keep(`${prop.height}/${prop.round}/proposal`, p.data);
    }
  }
  return { votes, proposals, raw };
}

// ---------------------------------------------------------------------------------------------------------------
// A store that "crashes" its process at a chosen write.

/** A write of consensus state: a WAL append or a sign-state update, with a readable label. */
export interface WritePoint {
  op: "appendWal" | "setSignState";
  height: number;
  label: string;
}

/** Crash at the `index`-th (1-based) counted write of `height`, before it happens or right after it completes. */
export interface CrashPlan {
  height: number;
  index: number;
  phase: "before" | "after";
}

export class CrashError extends Error {
  override readonly name = "CrashError";
}

const STEP_NAMES = ["propose", "prevote", "precommit"];

function walLabel(record: WalRecord): string {
  try {
    const input = decodeWalInput(record);
    switch (input.kind) {
      case "vote":
        return `wal vote ${input.vote.type} r${input.vote.round} from ${input.vote.validator}`;
      case "proposal":
        return `wal proposal r${input.proposal.round}`;
      case "timeout":
        return `wal timeout ${input.step} r${input.round}`;
      default:
        return `wal ${input.kind}`;
    }
  } catch {
    return `wal ${record.kind}`;
  }
}

function signLabel(state: SignState): string {
  return `sign ${STEP_NAMES[state.step] ?? state.step} r${state.round}`;
}

/**
 * Wraps one incarnation's view of a store. Writes of consensus state at `countHeight`, made while the node has not
 * committed that height yet (`head() < countHeight`), are counted in `trace`; with a plan, the chosen one crashes
 * the node: it throws, and from then on every call through this wrapper throws too (the process is gone), while
 * the store underneath keeps whatever was written, for the next incarnation.
 */
export class CrashableStore {
  readonly trace: WritePoint[] = [];
  /** Every consensus write through this wrapper, counted or not, for failure reports. */
  readonly history: WritePoint[] = [];
  readonly store: Store;
  private dead = false;
  private inFlight = 0;

  constructor(
    inner: Store,
    private readonly countHeight: number,
    private readonly head: () => number,
    private readonly plan: CrashPlan | null,
    private readonly onCrash: (point: WritePoint) => void,
    /** Runs before every consensus write goes through (tests use it to act at a chosen moment). */
    private readonly beforeWrite: ((point: WritePoint) => Promise<void>) | null = null,
  ) {
    const guardAll = <T extends object>(target: T): T =>
      new Proxy(target, {
        get: (t, key) => {
          const value = Reflect.get(t, key, t) as unknown;
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (this.dead) return Promise.reject(new CrashError("the process crashed"));
            const result = (value as (...a: unknown[]) => unknown).apply(t, args);
            return result instanceof Promise ? this.track(result) : result;
          };
        },
      });
    const consensus = guardAll(inner.consensus);
    this.store = {
      kind: inner.kind,
      ledger: guardAll(inner.ledger),
      localData: guardAll(inner.localData),
      consensus: {
        appendWal: (record) =>
          this.write({ op: "appendWal", height: record.height, label: walLabel(record) }, () =>
            inner.consensus.appendWal(record),
          ),
        appendWalBatch: (records) =>
          this.write(
            {
              op: "appendWal",
              height: records[0]?.height ?? 0,
              label: records.map(walLabel).join(" + "),
            },
            () => inner.consensus.appendWalBatch(records),
          ),
        readWal: (height) => consensus.readWal(height),
        pruneWalBelow: (height) => consensus.pruneWalBelow(height),
        getSignState: () => consensus.getSignState(),
        setSignState: (state) =>
          this.write({ op: "setSignState", height: state.height, label: signLabel(state) }, () =>
            inner.consensus.setSignState(state),
          ),
      },
      // The test owns the store underneath; a crashed process does not close it.
      close: async () => {},
    };
  }

  get crashed(): boolean {
    return this.dead;
  }

  /** Whether a store call through this wrapper has not settled yet (a simulation waits for none to be). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.inFlight++;
    const settled = () => {
      this.inFlight--;
    };
    call.then(settled, settled);
    return call;
  }

  /** Makes every later call fail (used when a scenario ends, so nothing leaks into the next one). */
  kill(): void {
    this.dead = true;
  }

  private write<T>(point: WritePoint, run: () => Promise<T>): Promise<T> {
    return this.track(this.crashOrWrite(point, run));
  }

  private async crashOrWrite<T>(point: WritePoint, run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new CrashError("the process crashed");
    this.history.push(point);
    if (this.beforeWrite !== null) await this.beforeWrite(point);
    if (point.height !== this.countHeight || this.head() >= this.countHeight) return run();
    this.trace.push(point);
    const plan = this.plan;
    if (plan === null || plan.height !== point.height || plan.index !== this.trace.length) return run();
    if (plan.phase === "after") await run();
    this.dead = true;
    this.onCrash(point);
    throw new CrashError(`crash ${plan.phase} write ${plan.index} of height ${plan.height}: ${point.label}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One process of a validator: ledger over its store, mempool, driver, block sync and gossip wiring.

export interface LogLine {
  level: string;
  module: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger keeping warnings and errors (the interesting lines) in memory. */
export function memoryLogger(lines: LogLine[], module = "peer"): Logger {
  const keep =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, module, msg, fields });
    };
  return {
    debug() {},
    info() {},
    warn: keep("warn"),
    error: keep("error"),
    child: (name) => memoryLogger(lines, `${module}.${name}`),
  };
}

export interface Incarnation {
  agency: string;
  driver: ConsensusDriver;
  chain: StoredLedger;
  endpoint: InProcEndpoint;
  crashable: CrashableStore;
  log: LogLine[];
}

export interface BootOptions {
  agency: string;
  identity: Identity;
  store: Store;
  hub: InProcHub;
  genesis: Genesis;
  driver: DriverOptions;
  /** Height whose consensus writes are counted (and possibly crashed at). */
  countHeight: number;
  plan?: CrashPlan | null;
  onCrash?: (incarnation: Incarnation, point: WritePoint) => void;
  beforeWrite?: (incarnation: Incarnation, point: WritePoint) => Promise<void>;
  /** The clock of the driver and the gossip handlers: `Date.now` and the host's timers unless given. */
  clock?: { now: () => number; timers: Timers };
}

/**
 * Starts a validator process on `store`, wired as `startPeer` wires one: StoredLedger.open, a new mempool and
 * verifier, the driver, block sync and gossip handlers on a fresh hub endpoint, then `driver.start()` (which
 * replays the WAL of the height in progress).
 */
export async function bootValidator(o: BootOptions): Promise<Incarnation> {
  const log: LogLine[] = [];
  const logger = memoryLogger(log, o.agency);
  const now = o.clock?.now ?? Date.now;
  let incarnation: Incarnation | null = null;
  let chain: StoredLedger | null = null;
  const crashable = new CrashableStore(
    o.store,
    o.countHeight,
    () => chain?.ledger.head.height ?? -1,
    o.plan ?? null,
    (point) => {
      // The process dies here: it hears nothing more and sends nothing more.
      const self = incarnation;
      if (self === null) return;
      self.endpoint.close();
      o.onCrash?.(self, point);
    },
    o.beforeWrite === undefined
      ? null
      : async (point) => {
          if (incarnation !== null) await o.beforeWrite?.(incarnation, point);
        },
  );
  const store = crashable.store;
  const verifier = createCachingVerifier(createVerifier());
  chain = await StoredLedger.open(store, o.genesis, verifier);
  const mempool = new Mempool(chain.ledger, verifier);
  const endpoint = o.hub.connect(o.agency);
  const driver = new ConsensusDriver(
    {
      chain,
      store,
      network: endpoint,
      mempool,
      verifier,
      identity: o.identity,
      now,
      timers: o.clock?.timers,
      log: logger.child("consensus"),
    },
    o.driver,
  );
  const sync = new BlockSync(endpoint, chain, driver, logger.child("sync"));
  serveBlocks(endpoint, store);
  attachGossipHandlers({
    network: endpoint,
    chain,
    driver,
    mempool,
    sync,
    verifier,
    now,
    log: logger.child("gossip"),
  });
  incarnation = { agency: o.agency, driver, chain, endpoint, crashable, log };
  await driver.start();
  return incarnation;
}

/** Stops a process for good (end of a scenario). */
export async function shutdown(n: Incarnation): Promise<void> {
  n.endpoint.close();
  await n.driver.stop();
  n.crashable.kill();
}

/** Polls until `check` holds or the bound passes; fails with `describe()` of what was last seen. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs: number,
  pollMs = 10,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${describe()}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
