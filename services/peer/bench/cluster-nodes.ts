/**
 * The four validator processes of the cluster benchmark: keys, genesis, configs, starting and stopping them, the
 * client's tx submission, a watcher following the chain at the provider and one sampling every validator's memory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { generateKeystore } from "@coken/keystore";
import { type Signer, toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import type { StoreConfig } from "@coken/store";
import type { BenchStores } from "./bench-stores.js";
import { stopChild, track } from "./bench-util.js";
import {
  CHAIN,
  COMMIT_MS,
  KEEP,
  MAX_BLOCK_BYTES,
  MEMORY_POLL_MS,
  PASSPHRASE,
  PEER_ENV,
  PEER_NODE_ARGS,
  POLL_MS,
  PROVIDER,
  RECEIPT_WINDOW_MS,
  RECEIPTS_PER_TX,
  VALIDATORS,
} from "./settings.js";

const CLI = fileURLToPath(new URL("../../../cli/dist/src/main.js", import.meta.url));

export interface Key {
  agency: string;
  signer: Signer;
}

export interface Node {
  agency: string;
  signer: Signer;
  config: string;
  store: StoreConfig;
  apiPort: number;
  child: ChildProcess | null;
  log: string[];
}

/** What the bench reads of `/v1/status`. */
export interface Status {
  height: number;
  peers: number;
  mempool: number;
  mempoolBytes?: number;
  mempoolFull?: number;
  proposalBudgetBytes?: number;
  inboxDrops?: number;
  halted: boolean;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes?: number;
  externalBytes?: number;
  arrayBuffersBytes?: number;
  storeWasmBytes?: number;
  signatureChecks: number;
  signatureCacheHits: number;
}

/** `n` distinct free loopback ports: all are listened on at once, so none is handed out twice, then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export async function makeKeys(dir: string): Promise<Key[]> {
  return Promise.all(
    VALIDATORS.map(async (agency) => {
      const { signer } = await generateKeystore(join(dir, `${agency}.key.json`), {
        agency,
        passphrase: PASSPHRASE,
        kdf: { N: 1 << 14, r: 8, p: 1 },
      });
      return { agency, signer };
    }),
  );
}

export async function writeGenesis(dir: string, keys: Key[]): Promise<string> {
  const file = join(dir, "genesis.json");
  await writeFile(
    file,
    JSON.stringify({
      chainId: CHAIN,
      genesisTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      params: { maxReceiptsPerTx: 1_000_000, epochLength: 1_000_000, receiptMaxAgeMs: RECEIPT_WINDOW_MS },
      agencies: keys.map((k) => ({
        id: k.agency,
        name: k.agency,
        region: "CN",
        publicKey: toHex(k.signer.publicKey),
        roles: ["validator", "member"],
        balance: "1000000000",
      })),
      validators: keys.map((k) => ({ agency: k.agency, power: 10 })),
    }),
  );
  return file;
}

/** Fresh ports, stores and configs for one run of the cluster. */
async function writeConfigs(dir: string, run: string, keys: Key[], stores: BenchStores): Promise<Node[]> {
  const free = await freePorts(2 * keys.length);
  const ports = keys.map((_, i) => ({ p2p: free[2 * i] as number, api: free[2 * i + 1] as number }));
  const addr = (i: number) =>
    `/ip4/127.0.0.1/tcp/${ports[i]?.p2p}/p2p/${peerIdFromPublicKey((keys[i] as Key).signer.publicKey).toString()}`;
  return Promise.all(
    keys.map(async (k, i) => {
      const store = stores.create(`${run}/${k.agency}`);
      const config = join(dir, `${k.agency}.${run}.config.json`);
      await writeFile(
        config,
        JSON.stringify({
          genesis: "genesis.json",
          keystore: `${k.agency}.key.json`,
          store,
          p2p: {
            listen: `/ip4/127.0.0.1/tcp/${ports[i]?.p2p}`,
            peers: keys.flatMap((_, j) => (j === i ? [] : [addr(j)])),
          },
          api: { host: "127.0.0.1", port: ports[i]?.api },
          consensus: {
            timeoutProposeMs: 3000,
            timeoutVoteMs: 1000,
            timeoutDeltaMs: 500,
            timeoutCommitMs: COMMIT_MS,
            maxBlockTxs: 10_000,
            maxBlockBytes: MAX_BLOCK_BYTES,
          },
        }),
      );
      return {
        agency: k.agency,
        signer: k.signer,
        config,
        store,
        apiPort: ports[i]?.api as number,
        child: null,
        log: [],
      };
    }),
  );
}

function startNode(node: Node, nodeArgs: string[]): void {
  const child = track(
    spawn(process.execPath, [...PEER_NODE_ARGS, ...nodeArgs, CLI, "peer", "start", "--config", node.config], {
      env: { ...process.env, ...PEER_ENV, COKEN_KEYSTORE_PASSPHRASE: PASSPHRASE },
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  child.stderr?.setEncoding("utf8");
  // With COKEN_BENCH_KEEP=1 each peer's log is also kept next to its config.
  const file = KEEP ? createWriteStream(node.config.replace(/\.config\.json$/, ".log")) : null;
  child.stderr?.on("data", (chunk: string) => {
    file?.write(chunk);
    node.log.push(chunk);
    if (node.log.length > 100) node.log.shift();
  });
  child.once("exit", () => file?.end());
  node.child = child;
}

/** What each peer last logged and reports, for a failure message. */
export async function diagnose(nodes: Node[]): Promise<string> {
  const now = await statuses(nodes);
  return nodes
    .map((n, i) => `--- ${n.agency}: ${JSON.stringify(now[i])}\n${n.log.slice(-20).join("").slice(-6000)}`)
    .join("\n");
}

async function getJson<T>(port: number, path: string): Promise<T | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

export const statuses = (nodes: Node[]) =>
  Promise.all(nodes.map((n) => getJson<Status>(n.apiPort, "/v1/status")));

type Answer = { status: number; body: string; retryAfter: string | undefined };

function post(port: number, raw: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/txs",
        method: "POST",
        agent: false,
        headers: { "content-type": "application/octet-stream", "content-length": raw.length },
        timeout: 30_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        const retryAfter = res.headers["retry-after"];
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, retryAfter }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("tx submission timed out")));
    req.on("error", (e) => reject(new Error(`tx submission failed: ${e.message}`)));
    req.end(raw);
  });
}

function retryable(a: Answer): boolean {
  try {
    return (JSON.parse(a.body) as { error?: { retryable?: boolean } }).error?.retryable === true;
  } catch {
    return false;
  }
}

/**
 * Submits one tx on a fresh connection (no keep-alive race with the server's idle timeout). A refusal for the
 * pool's capacity is retried after the Retry-After the peer asks for, as a client should; any other refusal stops
 * the bench, since the provider's sequence numbers must stay consecutive. Returns the capacity refusals met.
 */
export async function submit(port: number, raw: Uint8Array): Promise<number> {
  for (let refusals = 0; ; refusals++) {
    const a = await post(port, raw);
    if (a.status === 202) return refusals;
    if (!retryable(a)) throw new Error(`tx refused: HTTP ${a.status} ${a.body.slice(0, 300)}`);
    await sleep(1000 * Math.max(0.05, Number(a.retryAfter ?? 1) || 1));
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export interface BlockSeen {
  height: number;
  txs: number;
  at: number;
}

/**
 * Follows the chain at one peer: polls its height every POLL_MS and reads each new block's tx count. All txs
 * on this chain come from the provider in sequence order, so the k-th committed tx is the tx of sequence k.
 */
export class Watcher {
  readonly blocks: BlockSeen[] = [];
  /** When the tx of each sequence number was first seen committed (ms since the epoch). */
  readonly commitAt: number[] = [];
  private height = 0;
  private running = true;
  private readonly loop: Promise<void>;
  private failure: string | null = null;

  constructor(private readonly port: number) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const s = await getJson<Status>(this.port, "/v1/status");
      const at = Date.now();
      if (s?.halted) this.failure = "the watched peer halted consensus";
      while (s !== null && this.height < s.height) {
        const b = await getJson<{ txs: number }>(this.port, `/v1/blocks/${this.height + 1}`);
        if (b === null) break;
        this.height++;
        this.blocks.push({ height: this.height, txs: b.txs, at });
        for (let k = 0; k < b.txs; k++) this.commitAt.push(at);
      }
      await sleep(POLL_MS);
    }
  }

  get committed(): number {
    return this.commitAt.length;
  }

  async waitCommitted(n: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `${n} txs committed (have ${this.committed})`,
      async () => {
        if (this.failure !== null) throw new Error(this.failure);
        return this.committed >= n;
      },
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Receipts committed per second during (from, to]: from the first to the last block seen in it, counting the
   * blocks after the first (so the rate is not quantised by where the window cuts a block interval); the
   * plain window count when fewer than two blocks were seen.
   */
  rate(from: number, to: number): number {
    const blocks = this.blocksIn(from, to);
    const first = blocks[0];
    const last = blocks.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) {
      const txs = blocks.reduce((n, b) => n + b.txs, 0);
      return (txs * RECEIPTS_PER_TX * 1000) / (to - from);
    }
    const txs = blocks.slice(1).reduce((n, b) => n + b.txs, 0);
    return (txs * RECEIPTS_PER_TX * 1000) / (last.at - first.at);
  }

  blocksIn(from: number, to: number): BlockSeen[] {
    return this.blocks.filter((b) => b.at > from && b.at <= to);
  }
}

/** One validator's memory at its highest sampled RSS, and the kernel's high-water mark of its RSS. */
export interface MemoryPeak {
  /** The sample with the highest RSS (`/v1/status`, every MEMORY_POLL_MS). */
  sampled: Status | null;
  /** VmHWM from /proc: the highest RSS the process ever had (null where /proc is not available). */
  hwmBytes: number | null;
}

/** Samples every validator's `/v1/status` while the cluster runs and keeps each one's highest-RSS sample. */
export class MemoryWatch {
  readonly peaks: (Status | null)[];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly nodes: Node[]) {
    this.peaks = nodes.map(() => null);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const now = await statuses(this.nodes);
      for (const [i, s] of now.entries())
        if (s !== null && s.rssBytes > (this.peaks[i]?.rssBytes ?? -1)) this.peaks[i] = s;
      await sleep(MEMORY_POLL_MS);
    }
  }

  /** Stops sampling and reads each process's RSS high-water mark (call while the processes still run). */
  async stop(): Promise<MemoryPeak[]> {
    this.running = false;
    await this.loop;
    return Promise.all(
      this.nodes.map(async (n, i) => ({ sampled: this.peaks[i] ?? null, hwmBytes: await hwm(n) })),
    );
  }
}

async function hwm(node: Node): Promise<number | null> {
  const pid = node.child?.pid;
  if (pid === undefined) return null;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** A running cluster of the four validators with a watcher on the provider; the provider's next sequence. */
export interface Cluster {
  nodes: Node[];
  provider: Node;
  watcher: Watcher;
  memory: MemoryWatch;
  seq: number;
  submitAt: number[];
  /** Capacity refusals the client met (and retried), all loads together. */
  refusals: number;
}

/** Starts the cluster; tries once more on fresh ports and stores if it does not come up (e.g. a port was taken). */
export async function startCluster(
  dir: string,
  run: string,
  keys: Key[],
  stores: BenchStores,
  setup: Uint8Array[],
  nodeArgs: (agency: string) => string[] = () => [],
): Promise<Cluster> {
  try {
    return await startClusterOnce(dir, run, keys, stores, setup, nodeArgs);
  } catch (e) {
    process.stdout.write(
      `cluster did not come up, trying once more: ${(e as Error).message.split("\n")[0]}\n`,
    );
    return startClusterOnce(dir, `${run}-retry`, keys, stores, setup, nodeArgs);
  }
}

async function startClusterOnce(
  dir: string,
  run: string,
  keys: Key[],
  stores: BenchStores,
  setup: Uint8Array[],
  nodeArgs: (agency: string) => string[],
): Promise<Cluster> {
  const nodes = await writeConfigs(dir, run, keys, stores);
  for (const n of nodes) startNode(n, nodeArgs(n.agency));
  const provider = nodes.find((n) => n.agency === PROVIDER) as Node;
  try {
    await waitFor(
      "all four validators to commit height 2",
      async () => (await statuses(nodes)).every((s) => s !== null && s.height >= 2 && !s.halted),
      120_000,
    );
    const watcher = new Watcher(provider.apiPort);
    const memory = new MemoryWatch(nodes);
    const c: Cluster = { nodes, provider, watcher, memory, seq: 0, submitAt: [], refusals: 0 };
    for (const raw of setup) {
      c.submitAt[c.seq++] = Date.now();
      c.refusals += await submit(provider.apiPort, raw);
    }
    await watcher.waitCommitted(setup.length, 60_000);
    return c;
  } catch (e) {
    const message = `${(e as Error).message}\n${await diagnose(nodes)}`;
    await Promise.all(nodes.map((n) => (n.child ? stopChild(n.child) : undefined)));
    throw new Error(message);
  }
}

export async function stopCluster(c: Cluster): Promise<void> {
  await c.watcher.stop().catch(() => {});
  await c.memory.stop().catch(() => {});
  await Promise.all(c.nodes.map((n) => (n.child ? stopChild(n.child) : undefined)));
}
