/**
 * Consensus benchmark: four validator processes (`coken peer start`, libp2p on loopback, PGlite on disk) on
 * this machine, a client submitting access.record txs to the provider's API, and in the same run the machine's
 * own limit for the same work without consensus (limit-worker.js). Writes the "consensus" section of
 * docs/BENCHMARKS.md.
 *
 * Environment (all optional):
 *   COKEN_BENCH_SECONDS          length of each load, half-limit and saturation (30)
 *   COKEN_BENCH_PROFILE_SECONDS  saturated load of the extra run with one validator under --cpu-prof (20)
 *   COKEN_BENCH_SOAK_SECONDS     0 = no soak; else, after the loads, a paced load at 80% of what (c)
 *                                committed (at most half of saturation) for that long, sampling memory
 *                                (600 for the 10-minute run)
 *   COKEN_BENCH_SAMPLE_SECONDS   memory sample period of the soak (10)
 *   COKEN_BENCH_RECEIPT_WINDOW_MS  genesis receiptMaxAgeMs (3,600,000; 120,000 when soaking, so the duplicate
 *                                window fills within the run and memory can level off)
 *   COKEN_BENCH_RECEIPTS_PER_TX  receipts per access.record tx, one co-signed batch (1000)
 *   COKEN_BENCH_COMMIT_MS        timeoutCommitMs of the validators (100)
 *   COKEN_BENCH_LIMIT_BLOCKS     blocks timed by each limit worker (15)
 *   COKEN_BENCH_WINDOW_TXS       txs in flight (submitted, not committed) at saturation (3 blocks' worth)
 *   COKEN_BENCH_MAX_BLOCK_BYTES  the validators' maxBlockBytes (3 MiB - 64 KiB)
 *   COKEN_BENCH_KEEP=1           keep the temp dir (keystores, stores, peer logs, profile) for inspection
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { generateKeystore } from "@coken/keystore";
import { createHasher, decodeCommitCertificate, type Signer, toHex } from "@coken/ledger";
import { machine, writeSection } from "@coken/ledger/bench-report";
import { peerIdFromPublicKey } from "@coken/p2p";
import { openStore } from "@coken/store";
import { type CpuProfile, type ProfileSummary, summarise } from "./profile.js";
import { accessTx, accessTxs, packTxs, setupTxs, type Workload } from "./txs.js";

const CLI = fileURLToPath(new URL("../../../cli/dist/src/main.js", import.meta.url));
const WORKER = fileURLToPath(new URL("./limit-worker.js", import.meta.url));
const PASSPHRASE = "bench-cluster-passphrase";
const CHAIN = "coken-bench-cluster";
const VALIDATORS = ["sh.land-registry", "bj.housing", "gz.tax", "sz.courts"] as const;
const PROVIDER = "sh.land-registry";
const REQUESTER = "bj.housing";
const PROFILED = "gz.tax";

function num(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

const LOAD_SECONDS = num("COKEN_BENCH_SECONDS", 30);
const PROFILE_SECONDS = num("COKEN_BENCH_PROFILE_SECONDS", 20);
const SOAK_SECONDS = num("COKEN_BENCH_SOAK_SECONDS", 0);
const SAMPLE_SECONDS = Math.max(1, num("COKEN_BENCH_SAMPLE_SECONDS", 10));
const RECEIPT_WINDOW_MS = num("COKEN_BENCH_RECEIPT_WINDOW_MS", SOAK_SECONDS > 0 ? 120_000 : 3_600_000);
const RECEIPTS_PER_TX = Math.max(1, Math.round(num("COKEN_BENCH_RECEIPTS_PER_TX", 1000)));
const COMMIT_MS = Math.max(1, Math.round(num("COKEN_BENCH_COMMIT_MS", 100)));
const LIMIT_BLOCKS = Math.max(1, Math.round(num("COKEN_BENCH_LIMIT_BLOCKS", 15)));
const LIMIT_WARM_BLOCKS = 2;
/**
 * A proposal carries its whole block in one gossip message. 3 MiB blocks (10 txs of 1,000 receipts) amortise each
 * height's votes, WAL and commit over more receipts than 1 MiB ones did.
 */
const MAX_BLOCK_BYTES = Math.round(num("COKEN_BENCH_MAX_BLOCK_BYTES", (3 << 20) - (64 << 10)));
const RAMP_MS = 3000;
/** Where a load's measured window starts: after the ramp (or a quarter of a very short load). */
const measuredFrom = (r: { from: number; to: number }) => r.from + Math.min(RAMP_MS, (r.to - r.from) / 4);
const POLL_MS = 20;
const KEEP = process.env.COKEN_BENCH_KEEP === "1";

const started = Date.now();
const loadAtStart = loadavg()[0] ?? 0;
const log = (msg: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const secs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

// ---------------------------------------------------------------------------------------------------------
// Processes: every child is tracked so that a failure, or Ctrl-C, still stops all of them.

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 5000)));
}

const HAS_TASKSET = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

// ---------------------------------------------------------------------------------------------------------
// Cluster set-up: keystores, genesis, one config per agency and run.

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

interface Node {
  agency: string;
  signer: Signer;
  config: string;
  apiPort: number;
  child: ChildProcess | null;
  log: string[];
}

interface Status {
  height: number;
  peers: number;
  mempool: number;
  halted: boolean;
  rssBytes: number;
  heapUsedBytes: number;
  signatureChecks: number;
  signatureCacheHits: number;
}

async function makeKeys(dir: string): Promise<{ agency: string; signer: Signer }[]> {
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

async function writeGenesis(dir: string, keys: { agency: string; signer: Signer }[]): Promise<string> {
  const file = join(dir, "genesis.json");
  await writeFile(
    file,
    JSON.stringify({
      chainId: CHAIN,
      genesisTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      params: {
        maxReceiptsPerTx: 1_000_000,
        epochLength: 1_000_000,
        receiptMaxAgeMs: RECEIPT_WINDOW_MS,
      },
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

/** Fresh ports and stores for one run of the cluster. */
async function writeConfigs(
  dir: string,
  run: string,
  keys: { agency: string; signer: Signer }[],
): Promise<Node[]> {
  const free = await freePorts(2 * keys.length);
  const ports = keys.map((_, i) => ({ p2p: free[2 * i] as number, api: free[2 * i + 1] as number }));
  const addr = (i: number) =>
    `/ip4/127.0.0.1/tcp/${ports[i]?.p2p}/p2p/${peerIdFromPublicKey((keys[i] as (typeof keys)[number]).signer.publicKey).toString()}`;
  return Promise.all(
    keys.map(async (k, i) => {
      await mkdir(join(dir, run, k.agency), { recursive: true });
      const config = join(dir, `${k.agency}.${run}.config.json`);
      await writeFile(
        config,
        JSON.stringify({
          genesis: "genesis.json",
          keystore: `${k.agency}.key.json`,
          store: { kind: "pglite", dataDir: `${run}/${k.agency}/db` },
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
        apiPort: ports[i]?.api as number,
        child: null,
        log: [],
      };
    }),
  );
}

function startNode(node: Node, nodeArgs: string[] = []): void {
  const child = track(
    spawn(process.execPath, [...nodeArgs, CLI, "peer", "start", "--config", node.config], {
      env: { ...process.env, COKEN_KEYSTORE_PASSPHRASE: PASSPHRASE },
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
async function diagnose(nodes: Node[]): Promise<string> {
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

/**
 * Submits one tx on a fresh connection (no keep-alive race with the server's idle timeout); a refusal stops the
 * bench, since the provider's sequence numbers must stay consecutive.
 */
function submit(port: number, raw: Uint8Array): Promise<void> {
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
        res.on("end", () =>
          res.statusCode === 202
            ? resolve()
            : reject(new Error(`tx refused: HTTP ${res.statusCode} ${body.slice(0, 300)}`)),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("tx submission timed out")));
    req.on("error", (e) => reject(new Error(`tx submission failed: ${e.message}`)));
    req.end(raw);
  });
}

const statuses = (nodes: Node[]) => Promise.all(nodes.map((n) => getJson<Status>(n.apiPort, "/v1/status")));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Follows the chain at one peer: polls its height every POLL_MS and reads each new block's tx count. All txs
 * on this chain come from the provider in sequence order, so the k-th committed tx is the tx of sequence k.
 */
class Watcher {
  readonly blocks: { height: number; txs: number; at: number }[] = [];
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

  blocksIn(from: number, to: number): { height: number; txs: number; at: number }[] {
    return this.blocks.filter((b) => b.at > from && b.at <= to);
  }
}

/** A running cluster of the four validators with a watcher on the provider; the provider's next sequence. */
interface Cluster {
  nodes: Node[];
  provider: Node;
  watcher: Watcher;
  seq: number;
  submitAt: number[];
}

/** Starts the cluster; tries once more on fresh ports and stores if it does not come up (e.g. a port was taken). */
async function startCluster(
  dir: string,
  run: string,
  keys: { agency: string; signer: Signer }[],
  setup: Uint8Array[],
  nodeArgs: (agency: string) => string[] = () => [],
): Promise<Cluster> {
  try {
    return await startClusterOnce(dir, run, keys, setup, nodeArgs);
  } catch (e) {
    log(`cluster did not come up, trying once more: ${(e as Error).message.split("\n")[0]}`);
    return startClusterOnce(dir, `${run}-retry`, keys, setup, nodeArgs);
  }
}

async function startClusterOnce(
  dir: string,
  run: string,
  keys: { agency: string; signer: Signer }[],
  setup: Uint8Array[],
  nodeArgs: (agency: string) => string[],
): Promise<Cluster> {
  const nodes = await writeConfigs(dir, run, keys);
  for (const n of nodes) startNode(n, nodeArgs(n.agency));
  const provider = nodes.find((n) => n.agency === PROVIDER) as Node;
  try {
    await waitFor(
      "all four validators to commit height 2",
      async () => (await statuses(nodes)).every((s) => s !== null && s.height >= 2 && !s.halted),
      120_000,
    );
    const watcher = new Watcher(provider.apiPort);
    const c: Cluster = { nodes, provider, watcher, seq: 0, submitAt: [] };
    for (const raw of setup) {
      c.submitAt[c.seq++] = Date.now();
      await submit(provider.apiPort, raw);
    }
    await watcher.waitCommitted(setup.length, 60_000);
    return c;
  } catch (e) {
    const message = `${(e as Error).message}\n${await diagnose(nodes)}`;
    await Promise.all(nodes.map((n) => (n.child ? stopChild(n.child) : undefined)));
    throw new Error(message);
  }
}

async function stopCluster(c: Cluster): Promise<void> {
  await c.watcher.stop().catch(() => {});
  await Promise.all(c.nodes.map((n) => (n.child ? stopChild(n.child) : undefined)));
}

interface LoadResult {
  from: number;
  to: number;
  firstSeq: number;
  lastSeq: number;
  latencies: number[];
  exhausted: boolean;
}

/** Submits `txs` (the next sequence numbers) at `txPerSec`, each at its due time (or at once if late). */
async function paced(c: Cluster, txs: Iterable<Uint8Array>, txPerSec: number, seconds: number) {
  const firstSeq = c.seq;
  const from = Date.now();
  const end = from + seconds * 1000;
  let i = 0;
  for (const raw of txs) {
    const due = from + (i * 1000) / txPerSec;
    if (due >= end) break;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    c.submitAt[c.seq] = Date.now();
    await submit(c.provider.apiPort, raw);
    c.seq++;
    i++;
  }
  const to = Date.now();
  return finish(c, firstSeq, from, to, false);
}

/** Keeps `window` txs in flight (submitted, not yet committed) for `seconds`, or until the txs run out. */
async function saturate(c: Cluster, txs: Uint8Array[], window: number, seconds: number) {
  const firstSeq = c.seq;
  const from = Date.now();
  const end = from + seconds * 1000;
  let i = 0;
  while (Date.now() < end && i < txs.length) {
    if (c.seq - c.watcher.committed >= window) {
      await sleep(5);
      continue;
    }
    c.submitAt[c.seq] = Date.now();
    await submit(c.provider.apiPort, txs[i++] as Uint8Array);
    c.seq++;
  }
  const to = Date.now();
  return finish(c, firstSeq, from, to, i >= txs.length && to < end);
}

async function finish(c: Cluster, firstSeq: number, from: number, to: number, exhausted: boolean) {
  await c.watcher.waitCommitted(c.seq, 120_000);
  const latencies: number[] = [];
  for (let s = firstSeq; s < c.seq; s++)
    latencies.push((c.watcher.commitAt[s] as number) - (c.submitAt[s] as number));
  return { from, to, firstSeq, lastSeq: c.seq - 1, latencies, exhausted } satisfies LoadResult;
}

// ---------------------------------------------------------------------------------------------------------
// The machine's own limit: limit-worker.js processes.

interface WorkerResult {
  txs: number;
  seconds: number;
  blocks: number;
}

function worker(
  args: string[],
  pin: number | null,
): { ready: Promise<void>; done: Promise<WorkerResult>; child: ChildProcess } {
  const [cmd, argv] =
    pin !== null && HAS_TASKSET
      ? ["taskset", ["-c", String(pin), process.execPath, WORKER, ...args]]
      : [process.execPath, [WORKER, ...args]];
  const child = track(
    spawn(cmd, argv as string[], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, COKEN_BENCH_PASSPHRASE: PASSPHRASE },
    }),
  );
  let out = "";
  let err = "";
  let readyResolve = () => {};
  const ready = new Promise<void>((r) => {
    readyResolve = r;
  });
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (d: string) => {
    out += d;
    if (out.includes("ready\n")) readyResolve();
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    err = (err + d).slice(-4000);
  });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code === 0 && line) resolve(JSON.parse(line) as WorkerResult);
      else reject(new Error(`limit worker ${args[0]} exited with ${code}: ${err}`));
    });
  });
  return { ready, done, child };
}

const rateOf = (r: WorkerResult) => (r.txs * RECEIPTS_PER_TX) / r.seconds;

interface Limits {
  one: number;
  four: number;
  fourEach: number[];
  apply: number;
  validator: number;
  txsPerRun: number;
}

async function measureLimits(
  dir: string,
  w: Workload,
  setup: Uint8Array[],
  perBlock: number,
): Promise<Limits> {
  const count = (1 + LIMIT_WARM_BLOCKS + LIMIT_BLOCKS) * perBlock;
  const built = accessTxs(w, 2, count, RECEIPTS_PER_TX);
  const file = join(dir, "limit-txs.bin");
  await writeFile(file, packTxs([...setup, ...built.txs]));
  const genesis = join(dir, "genesis.json");
  const common = (mode: string) => [mode, genesis, file, String(perBlock), String(LIMIT_WARM_BLOCKS)];

  log("limit: one process, check + apply + store (StoredLedger on PGlite)");
  const one = rateOf(await worker([...common("store"), join(dir, "limit-one")], null).done);
  log(`  ${fmt(one)} receipts/s`);
  log("limit: one validator alone on one core, check + apply");
  const apply = rateOf(await worker(common("apply"), 0).done);
  log(`  ${fmt(apply)} receipts/s`);
  log("limit: one validator alone on one core, the peer's path (checkTx, execute, apply, re-check)");
  const validator = rateOf(await worker(common("validator"), 0).done);
  log(`  ${fmt(validator)} receipts/s`);

  log("limit: four such processes at once (the work of four validators, no consensus)");
  const ws = VALIDATORS.map((_, i) =>
    worker([...common("store"), join(dir, `limit-four-${i}`), "--barrier"], null),
  );
  await Promise.all(ws.map((x) => x.ready));
  for (const x of ws) x.child.stdin?.write("go\n");
  const results = await Promise.all(ws.map((x) => x.done));
  const slowest = Math.max(...results.map((r) => r.seconds));
  const four = ((results[0] as WorkerResult).txs * RECEIPTS_PER_TX) / slowest;
  log(`  ${fmt(four)} receipts/s per replica`);
  return { one, four, fourEach: results.map(rateOf), apply, validator, txsPerRun: count };
}

// ---------------------------------------------------------------------------------------------------------

interface MemorySample {
  t: number;
  committedReceipts: number;
  rss: number[];
  heap: number[];
}

async function soak(c: Cluster, w: Workload, txPerSec: number, seconds: number) {
  const samples: MemorySample[] = [];
  const t0 = Date.now();
  const committedAtStart = c.watcher.committed;
  const sample = async () => {
    const s = await statuses(c.nodes);
    samples.push({
      t: (Date.now() - t0) / 1000,
      committedReceipts: (c.watcher.committed - committedAtStart) * RECEIPTS_PER_TX,
      rss: s.map((x) => x?.rssBytes ?? Number.NaN),
      heap: s.map((x) => x?.heapUsedBytes ?? Number.NaN),
    });
  };
  let stop = false;
  const sampler = (async () => {
    for (let k = 0; !stop; k++) {
      const due = t0 + k * SAMPLE_SECONDS * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (stop) break;
      await sample();
      log(`  soak ${samples.at(-1)?.t.toFixed(0)} s: rss ${samples.at(-1)?.rss.map(mib).join(", ")}`);
    }
  })();
  // Built just before it is sent, so receipt times stay inside a short duplicate window.
  function* txs(): Generator<Uint8Array> {
    for (let seq = c.seq; ; seq++) yield accessTx(w, seq, RECEIPTS_PER_TX, Date.now());
  }
  const result = await paced(c, txs(), txPerSec, seconds);
  stop = true;
  await sampler;
  await sample();
  return { result, samples };
}

async function profileRun(
  dir: string,
  keys: { agency: string; signer: Signer }[],
  w: Workload,
  setup: Uint8Array[],
  limits: Limits,
  window: number,
): Promise<{ summary: ProfileSummary; committed: number }> {
  const profDir = join(dir, "cpuprofile");
  await mkdir(profDir, { recursive: true });
  log(`profile run: fresh cluster, ${PROFILED} under --cpu-prof, saturated for ${PROFILE_SECONDS} s`);
  const c = await startCluster(dir, "profile", keys, setup, (agency) =>
    agency === PROFILED ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
  );
  const profiled = c.nodes.find((n) => n.agency === PROFILED) as Node;
  let load: LoadResult;
  try {
    const pool = accessTxs(
      w,
      c.seq,
      Math.ceil((limits.one * PROFILE_SECONDS * 1.1) / RECEIPTS_PER_TX) + window,
      RECEIPTS_PER_TX,
    );
    load = await saturate(c, pool.txs, window, PROFILE_SECONDS);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${await diagnose(c.nodes)}`);
  }
  const committed = c.watcher.rate(measuredFrom(load), load.to);
  await c.watcher.stop();
  await stopChild(profiled.child as ChildProcess, 30_000);
  const exitedAt = Date.now();
  await stopCluster(c);
  const file = (await readdir(profDir)).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no .cpuprofile written by ${PROFILED}`);
  const profile = JSON.parse(await readFile(join(profDir, file), "utf8")) as CpuProfile;
  // The profile ends when the process exits: map the load's wall-clock window onto the profile's clock.
  const fromUs = profile.endTime - (exitedAt - measuredFrom(load)) * 1000;
  const toUs = profile.endTime - (exitedAt - load.to) * 1000;
  return { summary: summarise(profile, fromUs, toUs), committed };
}

/**
 * From a stopped peer's store: for each height, the round its commit certificate was made in and the block's
 * time (the proposer's clock when it built the block).
 */
async function blockRounds(dataDir: string, heights: number[]): Promise<{ round: number; time: number }[]> {
  const store = await openStore({ kind: "pglite", dataDir });
  try {
    const out: { round: number; time: number }[] = [];
    for (const h of heights) {
      const b = await store.ledger.getBlock(h);
      if (b === null) continue;
      out.push({ round: b.commit ? decodeCommitCertificate(b.commit).round : -1, time: b.timeMs });
    }
    return out;
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "coken-bench-cluster-"));
  const onSignal = () => {
    void stopAll().finally(() => rm(dir, { recursive: true, force: true }).finally(() => process.exit(130)));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await run(dir);
  } finally {
    await stopAll();
    if (KEEP) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function run(dir: string): Promise<void> {
  log(`temp dir ${dir}; loads of ${LOAD_SECONDS} s, profile ${PROFILE_SECONDS} s, soak ${SOAK_SECONDS} s`);
  const keys = await makeKeys(dir);
  await writeGenesis(dir, keys);
  const signerOf = (a: string) => (keys.find((k) => k.agency === a) as { signer: Signer }).signer;
  const w: Workload = {
    chain: CHAIN,
    hasher: createHasher("sha256"),
    provider: PROVIDER,
    requester: REQUESTER,
    providerSigner: signerOf(PROVIDER),
    requesterSigner: signerOf(REQUESTER),
  };
  const setup = setupTxs(w, Date.now());
  const sample = accessTx(w, 2, RECEIPTS_PER_TX, Date.now());
  const perBlock = Math.max(1, Math.floor(MAX_BLOCK_BYTES / sample.length));
  const window = Math.round(num("COKEN_BENCH_WINDOW_TXS", 3 * perBlock));
  log(`access.record tx: ${RECEIPTS_PER_TX} receipts, ${fmt(sample.length)} bytes; ${perBlock} per block`);

  // 1. The machine's own limit for the same work.
  const limits = await measureLimits(dir, w, setup, perBlock);

  // 2. The cluster: (a) half the limit, (b) saturation, (c) half of what (b) committed; then the soak if asked.
  log("cluster: starting four validators");
  const c = await startCluster(dir, "main", keys, setup);
  const rssStart = (await statuses(c.nodes)).map((s) => s?.rssBytes ?? Number.NaN);
  let half: LoadResult;
  let sat: LoadResult;
  let easy: LoadResult;
  let soaked: Awaited<ReturnType<typeof soak>> | null = null;
  const halfRate = limits.four / 2;
  let easyRate = 0;
  let soakRate = 0;
  let buildMs = 0;
  const pacedLoad = async (name: string, rate: number) => {
    const txPerSec = rate / RECEIPTS_PER_TX;
    const pool = accessTxs(w, c.seq, Math.ceil(txPerSec * LOAD_SECONDS) + 1, RECEIPTS_PER_TX);
    buildMs += pool.ms;
    log(`load ${name}: ${fmt(rate)} receipts/s (${txPerSec.toFixed(2)} tx/s) for ${LOAD_SECONDS} s`);
    const r = await paced(c, pool.txs, txPerSec, LOAD_SECONDS);
    log(
      `  committed ${fmt(c.watcher.rate(measuredFrom(r), r.to))} receipts/s; p50 ${percentile(r.latencies, 0.5)} ms, p99 ${percentile(r.latencies, 0.99)} ms`,
    );
    return r;
  };
  try {
    half = await pacedLoad("(a), half the 4-replica limit", halfRate);

    const satPool = accessTxs(
      w,
      c.seq,
      Math.ceil((limits.one * LOAD_SECONDS * 1.1) / RECEIPTS_PER_TX) + window,
      RECEIPTS_PER_TX,
    );
    buildMs += satPool.ms;
    log(`load (b): saturation, ${window} txs in flight, for ${LOAD_SECONDS} s`);
    sat = await saturate(c, satPool.txs, window, LOAD_SECONDS);
    log(`  committed ${fmt(c.watcher.rate(measuredFrom(sat), sat.to))} receipts/s`);

    easyRate = c.watcher.rate(measuredFrom(sat), sat.to) / 2;
    easy = await pacedLoad("(c), half of what (b) committed", easyRate);

    if (SOAK_SECONDS > 0) {
      // A short saturation burst can overstate what the cluster sustains; soak below what (c) really committed.
      soakRate = Math.min(easyRate, 0.8 * c.watcher.rate(measuredFrom(easy), easy.to));
      log(`soak: ${fmt(soakRate)} receipts/s for ${SOAK_SECONDS} s, memory every ${SAMPLE_SECONDS} s`);
      soaked = await soak(c, w, soakRate / RECEIPTS_PER_TX, SOAK_SECONDS);
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${await diagnose(c.nodes)}`);
  }
  const end = await statuses(c.nodes);
  await stopCluster(c);
  const satBlocks = c.watcher.blocksIn(measuredFrom(sat), sat.to);
  const rounds = await blockRounds(join(dir, "main", PROVIDER, "db"), [
    (satBlocks[0]?.height ?? 1) - 1,
    ...satBlocks.map((b) => b.height),
  ]);
  const laterRounds = rounds.slice(1).filter((r) => r.round > 0).length;
  const intervals = rounds.slice(1).map((r, i) => r.time - (rounds[i] as { time: number }).time);

  // 3. Where the time goes: one validator under --cpu-prof in a short extra run.
  const prof = await profileRun(dir, keys, w, setup, limits, window);

  // 4. Report.
  const committedIn = (r: LoadResult) => c.watcher.rate(measuredFrom(r), r.to);
  const latency = (r: LoadResult) =>
    `p50 ${secs(percentile(r.latencies, 0.5))}, p99 ${secs(percentile(r.latencies, 0.99))}`;
  const halfCommitted = committedIn(half);
  const satCommitted = committedIn(sat);
  const easyCommitted = committedIn(easy);
  const satSpan = (sat.to - measuredFrom(sat)) / 1000;
  const halfP99 = percentile(half.latencies, 0.99);
  const easyP99 = percentile(easy.latencies, 0.99);
  const ratioFour = satCommitted / limits.four;
  const ratioOne = satCommitted / limits.one;
  const totalSeconds = (Date.now() - started) / 1000;
  const yes = (ok: boolean) => (ok ? "**met**" : "**not met**");

  const rows: string[][] = [
    [
      "machine limit, one process: check each signature once, apply (`Ledger`), store each block (`StoredLedger`, PGlite on disk)",
      `${fmt(limits.one)} receipts/s`,
      "1.00",
    ],
    [
      "machine limit for the work of 4 validators: 4 such processes at once, each applying and storing every block",
      `${fmt(limits.four)} receipts/s (each replica)`,
      `${(limits.four / limits.one).toFixed(2)} × one process`,
    ],
    [
      "one validator alone on one core: check signatures + apply, no store",
      `${fmt(limits.apply)} receipts/s`,
      `${(limits.apply / limits.one).toFixed(2)} × one process`,
    ],
    [
      "one validator alone on one core, the peer's code path (checkTx in the mempool, execute the proposal, apply it, re-check the mempool), no store",
      `${fmt(limits.validator)} receipts/s`,
      `${(limits.validator / limits.one).toFixed(2)} × one process`,
    ],
    [
      `(a) cluster offered half the 4-replica limit, ${fmt(halfRate)} receipts/s`,
      `${fmt(halfCommitted)} receipts/s committed`,
      `${(halfCommitted / limits.four).toFixed(2)} × 4-replica limit`,
    ],
    [
      `(a) commit latency, submit → committed at the provider (${half.latencies.length} txs)`,
      latency(half),
      "—",
    ],
    [
      `(b) cluster at saturation (${window} txs in flight), committed over ${satSpan.toFixed(0)} s${sat.exhausted ? " (the prepared txs ran out early)" : ""}`,
      `**${fmt(satCommitted)} receipts/s**`,
      `**${ratioFour.toFixed(2)} × 4-replica limit**, ${ratioOne.toFixed(2)} × one process`,
    ],
    [`(b) commit latency at saturation (${sat.latencies.length} txs)`, latency(sat), "—"],
    [
      "(b) blocks at saturation",
      `${(satBlocks.length / satSpan).toFixed(2)} blocks/s, ${(satBlocks.reduce((n, b) => n + b.txs, 0) / Math.max(1, satBlocks.length)).toFixed(2)} txs/block`,
      `block bound ${perBlock} txs`,
    ],
    [
      "(b) heights decided after round 0; interval between block times",
      `${laterRounds} of ${intervals.length}; p50 ${secs(percentile(intervals, 0.5))}, p99 ${secs(percentile(intervals, 0.99))}`,
      "—",
    ],
    [
      `(c) cluster offered half of what (b) committed, ${fmt(easyRate)} receipts/s`,
      `${fmt(easyCommitted)} receipts/s committed; ${latency(easy)} (${easy.latencies.length} txs)`,
      `${(easyCommitted / limits.four).toFixed(2)} × 4-replica limit`,
    ],
    [
      `saturation with ${PROFILED} under --cpu-prof (extra run, ${PROFILE_SECONDS} s)`,
      `${fmt(prof.committed)} receipts/s`,
      `${(prof.committed / limits.four).toFixed(2)} × 4-replica limit`,
    ],
    ...c.nodes.map((n, i) => [
      `${n.agency}${n.agency === PROVIDER ? " (provider: the client's API and the bench's block polling)" : ""}: RSS after setup → after the loads; signatures verified / answered from the cache`,
      `${mib(rssStart[i] as number)} → ${mib(end[i]?.rssBytes ?? Number.NaN)}; ${fmt(end[i]?.signatureChecks ?? Number.NaN)} / ${fmt(end[i]?.signatureCacheHits ?? Number.NaN)}`,
      "—",
    ]),
  ];
  const table = [
    "| what | result | ratio |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

  const targets = [
    `- Committed throughput ≥ 60% of the measured limit: ${yes(ratioFour >= 0.6)}, ${pct(ratioFour)} of the 4-replica limit (${pct(ratioOne)} of one process doing the work once).`,
    `- ≥ 10,000 receipts/s with batch-amortised signatures: ${yes(satCommitted >= 10_000)}, ${fmt(satCommitted)} receipts/s; the machine limits above are already below it.`,
    `- p99 finality ≤ 2 s at half of the limit's load: ${yes(halfP99 <= 2000)}, p99 ${secs(halfP99)} at ${fmt(halfRate)} receipts/s offered${halfCommitted < halfRate * 0.95 ? ", which is more than the cluster commits, so the queue and the latency grow for as long as the load lasts" : ""}; at half of the cluster's own maximum (c) p99 is ${secs(easyP99)} (${yes(easyP99 <= 2000)}).`,
    soaked === null
      ? "- Memory per validator flat over 10 minutes: not run by default (see the soak command below); RSS after setup and after the loads are in the table."
      : `- Memory per validator flat over ${(SOAK_SECONDS / 60).toFixed(0)} minutes: see the soak table below.`,
  ].join("\n");

  const sum = prof.summary;
  const stageOf = (prefix: string) =>
    sum.stages.filter((s) => s.name.startsWith(prefix)).reduce((n, s) => n + s.share, 0);
  const ledgerWork =
    stageOf("checkTx") + stageOf("mempool re-check") + stageOf("proposal") + stageOf("commit: apply");
  const busy = sum.busyMs / sum.windowMs;
  const top = sum.functions
    .slice(0, 4)
    .map((f) => `\`${f.name}\` ${pct(f.share)}`)
    .join(", ");
  const where = `CPU profile of ${PROFILED} (a validator that is not the provider, so no client HTTP and no block polling) over ${(sum.windowMs / 1000).toFixed(0)} s of saturation in the extra run: its main thread was busy ${pct(busy)} of the wall time (four validators and the client share ${HAS_TASKSET ? "two" : "the"} cores). Of that busy time the store takes ${pct(stageOf("store"))}, of which ${(100 * stageOf("store: PGlite parameter")).toFixed(1)} points are just PGlite turning bytea parameters into hex text, one two-character string per byte (block txs, the whole proposal in a WAL record on every validator, receipt hashes); garbage collection takes ${pct(stageOf("garbage collection"))}. ${pct(ledgerWork)} is the ledger executing the same txs again and again: checkTx on arrival ${pct(stageOf("checkTx"))}, re-checking the txs still pending after every commit ${pct(stageOf("mempool re-check"))}, decoding and executing the proposal before the prevote ${pct(stageOf("proposal"))}, applying it at commit ${pct(stageOf("commit: apply"))}: each tx is decoded and its receipts hashed (ids, Merkle root) at least three times per validator, while each signature is verified once (the cache answers the rest: see the counts above). libp2p (noise, yamux, gossipsub carrying ~1 MiB proposals and ~300 KB txs) takes ${pct(stageOf("p2p"))}. Top self time: ${top}.`;

  const stageRows = sum.stages.filter((s) => s.share >= 0.005).map((s) => `| ${s.name} | ${pct(s.share)} |`);
  const fnRows = sum.functions.slice(0, 12).map((f) => `| \`${f.name}\` | ${pct(f.share)} |`);
  const pkgRows = sum.packages.slice(0, 8).map((p) => `| ${p.name} | ${pct(p.share)} |`);

  let soakText = "";
  if (soaked !== null) {
    const sr = soaked.samples.map(
      (s) =>
        `| ${s.t.toFixed(0)} | ${fmt(s.committedReceipts)} | ${s.rss.map((r, i) => `${mib(r)} (${mib(s.heap[i] as number)})`).join(" | ")} |`,
    );
    const afterWarm = soaked.samples.filter((s) => s.t >= Math.min(120, SOAK_SECONDS / 2));
    // Least-squares slope of RSS over the samples after the warm-up (single samples swing with GC).
    const slope = c.nodes.map((_, i) => {
      if (afterWarm.length < 2) return "—";
      const xs = afterWarm.map((x) => x.t / 60);
      const ys = afterWarm.map((x) => (x.rss[i] as number) / 2 ** 20);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const sxy = xs.reduce((a, x, k) => a + (x - mx) * ((ys[k] as number) - my), 0);
      const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      const lo = Math.min(...ys);
      const hi = Math.max(...ys);
      return `${(sxy / sxx).toFixed(1)} MiB/min (${lo.toFixed(0)}–${hi.toFixed(0)} MiB)`;
    });
    soakText = `

### Soak: ${fmt(soakRate)} receipts/s for ${(SOAK_SECONDS / 60).toFixed(1)} minutes

Txs built just before they are sent; duplicate window (genesis receiptMaxAgeMs) ${fmt(RECEIPT_WINDOW_MS / 1000)} s.
Commit latency ${latency(soaked.result)} (${soaked.result.latencies.length} txs). RSS (heap used) of each validator every
${SAMPLE_SECONDS} s; least-squares RSS slope (and range) from ${afterWarm[0]?.t.toFixed(0) ?? "?"} s on: ${c.nodes.map((n, i) => `${n.agency} ${slope[i]}`).join(", ")}.

| s | receipts committed | ${c.nodes.map((n) => n.agency).join(" | ")} |
|---|---|${c.nodes.map(() => "---").join("|")}|
${sr.join("\n")}`;
  }

  const report = `## Consensus: 4 validators on one machine

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Whole run: ${totalSeconds.toFixed(0)} s (\`npm exec -- node services/peer/dist/bench/cluster.js\`);
1-minute load average just before it ${loadAtStart.toFixed(1)} (anything else running on the two cores skews every row).

Four \`coken peer start\` processes (libp2p on loopback, PGlite stores on disk), timeout_commit ${COMMIT_MS} ms. Each
access.record tx carries one batch of ${fmt(RECEIPTS_PER_TX)} receipts co-signed by provider and requester (${fmt(sample.length)} bytes).
Blocks are bounded at ${fmt(MAX_BLOCK_BYTES)} bytes (COKEN_BENCH_MAX_BLOCK_BYTES), so a block holds at most ${perBlock} such txs
(${fmt(perBlock * RECEIPTS_PER_TX)} receipts); a proposal carries its whole block in one gossip message (yamux's per-stream read buffer is sized to
four such messages: at its 4 MiB default, gossip streams of a busy validator were aborted and 3 MB blocks stalled the
cluster). The client (this process)
submits every tx to the provider's \`POST /v1/txs\` with consecutive sequence numbers; txs are built before each load
(${(buildMs / 1000).toFixed(1)} s in all, outside the loads). A tx's commit time is when the provider's \`/v1/status\` first shows its
block (polled every ${POLL_MS} ms); throughput counts the receipts of the blocks seen during a load after its first ${RAMP_MS / 1000} s, from the first such block to the last.
The machine limit applies the same txs in the same blocks without consensus or network, timing ${LIMIT_BLOCKS} blocks after
${LIMIT_WARM_BLOCKS} warm-up blocks. Each of the 4 validators must do that work on the same ${HAS_TASKSET ? "two" : ""} cores, so the 4-replica row is
the limit the ratios use. "Alone on one core" runs are pinned with taskset${HAS_TASKSET ? "" : " (not available here: unpinned)"}.

${table}

Targets:
${targets}

### Where the time goes

${where}

| stage (from each sample's stack) | share of busy time |
|---|---|
${stageRows.join("\n")}

| function (self time) | share |
|---|---|
${fnRows.join("\n")}

| package (self time; WASM counted with its JS caller) | share |
|---|---|
${pkgRows.join("\n")}${soakText}

Soak by hand: \`COKEN_BENCH_SOAK_SECONDS=600 npm exec -- node services/peer/dist/bench/cluster.js\` adds a paced load at
80% of what (c) committed (at most half of (b)), sampling every validator's memory every ${SAMPLE_SECONDS} s (the duplicate window is then 120 s,
so it fills early). Other knobs: COKEN_BENCH_SECONDS, COKEN_BENCH_PROFILE_SECONDS, COKEN_BENCH_RECEIPTS_PER_TX,
COKEN_BENCH_COMMIT_MS, COKEN_BENCH_LIMIT_BLOCKS, COKEN_BENCH_WINDOW_TXS.`;

  writeSection("consensus", report);
  process.stdout.write(`\n${report}\n`);
}

await main();
