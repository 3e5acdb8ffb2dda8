/**
 * Consensus benchmark: four validator processes (`coken peer start`, libp2p on loopback) on this machine, on
 * PGlite stores and then on PostgreSQL databases, a client submitting access.record txs to the provider's API,
 * and in the same run the machine's own limit for the same work without consensus (limit-worker.js). Offers
 * the cluster a curve of paced loads (multiples of the 4-replica limit), a saturating window and half of the best
 * it committed; samples every validator's memory throughout. Writes the "consensus" section of
 * docs/BENCHMARKS.md.
 *
 * Environment (all optional):
 *   COKEN_BENCH_STORES           store kinds, in order: pglite,postgres (both)
 *   COKEN_BENCH_PG_URL           PostgreSQL server whose user creates and drops the databases
 *                                (postgres://postgres@127.0.0.1:5432/postgres)
 *   COKEN_BENCH_SECONDS          length of each load (30)
 *   COKEN_BENCH_CURVE            offered loads as multiples of the 4-replica limit (0.25,0.5,0.75,1,1.5)
 *   COKEN_BENCH_PROFILE_SECONDS  saturated load of the extra run with one validator under --cpu-prof (20; 0: none)
 *   COKEN_BENCH_SOAK_SECONDS     0 = no soak; else, after the loads, a paced load at 80% of what (c)
 *                                committed (at most half of the best) for that long, sampling memory
 *                                (600 for the 10-minute run)
 *   COKEN_BENCH_SAMPLE_SECONDS   memory sample period of the soak (10)
 *   COKEN_BENCH_RECEIPT_WINDOW_MS  genesis receiptMaxAgeMs (3,600,000; 120,000 when soaking, so the duplicate
 *                                window fills within the run and memory can level off)
 *   COKEN_BENCH_RECEIPTS_PER_TX  receipts per access.record tx, one co-signed batch (1000)
 *   COKEN_BENCH_COMMIT_MS        timeoutCommitMs of the validators (100)
 *   COKEN_BENCH_LIMIT_BLOCKS     blocks timed by each limit worker (15)
 *   COKEN_BENCH_LIMIT            a 4-replica limit (receipts/s) to use instead of measuring one (skips the
 *                                limit phases: for short runs that check the bench itself)
 *   COKEN_BENCH_WINDOW_TXS       txs in flight (submitted, not committed) at saturation (3 blocks' worth)
 *   COKEN_BENCH_MAX_BLOCK_BYTES  the validators' maxBlockBytes (3 MiB - 64 KiB)
 *   COKEN_BENCH_HEAP_SNAPSHOTS   a folder: the profiled validator writes a heap snapshot there after the
 *                                saturating load of each store kind (and its /v1/status beside it)
 *   COKEN_BENCH_NODE_ARGS        more node options for the validators, space-separated (e.g.
 *                                --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp/snapshots, to inspect memory)
 *   COKEN_BENCH_KEEP=1           keep the temp dir (keystores, stores, peer logs, profile) for inspection
 *   COKEN_BENCH_WRITE=0          print the report only, leaving docs/BENCHMARKS.md as it is
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createHasher, type Signer } from "@coken/ledger";
import { writeSection } from "@coken/ledger/bench-report";
import { BenchStores, dropAllStores, STORE_LABEL, storeKinds } from "./bench-stores.js";
import { fmt, log, num, percentile, STARTED_AT, stopAll, stopChild } from "./bench-util.js";
import {
  type Cluster,
  diagnose,
  type Key,
  makeKeys,
  type Node,
  startCluster,
  statuses,
  stopCluster,
  writeGenesis,
} from "./cluster-nodes.js";
import { type CurvePoint, type KindResult, type RunInfo, report } from "./cluster-report.js";
import {
  type CpuLimits,
  type LimitTxs,
  measureCpuLimits,
  measureStoreLimits,
  type StoreLimits,
  writeLimitTxs,
} from "./limits.js";
import { blockRounds, type LoadResult, paced, saturate, soak } from "./loads.js";
import { type CpuProfile, summarise } from "./profile.js";
import {
  CURVE,
  GIVEN_LIMIT,
  HEAP_SNAPSHOTS,
  KEEP,
  LOAD_SECONDS,
  MAX_BLOCK_BYTES,
  measuredFrom,
  PROFILE_SECONDS,
  PROFILED,
  PROVIDER,
  RECEIPTS_PER_TX,
  REQUESTER,
  SAMPLE_SECONDS,
  SOAK_SECONDS,
  WRITE,
} from "./settings.js";
import { accessTx, accessTxs, setupTxs, type Workload } from "./txs.js";

const loadAtStart = loadavg()[0] ?? 0;

/** A paced load at `rate` receipts/s for LOAD_SECONDS, its txs built before it starts. */
async function pacedLoad(c: Cluster, w: Workload, name: string, rate: number) {
  const txPerSec = rate / RECEIPTS_PER_TX;
  const pool = accessTxs(w, c.seq, Math.ceil(txPerSec * LOAD_SECONDS) + 1, RECEIPTS_PER_TX);
  log(`load ${name}: ${fmt(rate)} receipts/s (${txPerSec.toFixed(2)} tx/s) for ${LOAD_SECONDS} s`);
  const r = await paced(c, pool.txs, txPerSec, LOAD_SECONDS);
  log(
    `  committed ${fmt(c.watcher.rate(measuredFrom(r), r.to))} receipts/s; p50 ${percentile(r.latencies, 0.5)} ms, p99 ${percentile(r.latencies, 0.99)} ms; ${r.refusals} capacity refusals`,
  );
  return { load: r, buildMs: pool.ms };
}

async function profileRun(
  dir: string,
  keys: Key[],
  stores: BenchStores,
  w: Workload,
  setup: Uint8Array[],
  limits: StoreLimits,
  window: number,
) {
  const profDir = join(dir, `cpuprofile-${stores.kind}`);
  await mkdir(profDir, { recursive: true });
  log(`profile run: fresh cluster, ${PROFILED} under --cpu-prof, saturated for ${PROFILE_SECONDS} s`);
  const c = await startCluster(dir, `${stores.kind}-profile`, keys, stores, setup, (agency) =>
    agency === PROFILED ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
  );
  const profiled = c.nodes.find((n) => n.agency === PROFILED) as Node;
  let load: LoadResult;
  try {
    const count = Math.ceil((limits.one * PROFILE_SECONDS * 1.1) / RECEIPTS_PER_TX) + window;
    load = await saturate(c, accessTxs(w, c.seq, count, RECEIPTS_PER_TX).txs, window, PROFILE_SECONDS);
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
 * Has `node` write a heap snapshot (SIGUSR2, see HEAP_SNAPSHOTS) and waits until the file stops growing; its
 * `/v1/status` from just before goes beside it.
 */
async function heapSnapshot(node: Node, kind: string): Promise<void> {
  const before = new Set(await readdir(HEAP_SNAPSHOTS));
  const [status] = await statuses([node]);
  await writeFile(
    join(HEAP_SNAPSHOTS, `${kind}-${node.agency}-status.json`),
    JSON.stringify(status, null, 2),
  );
  log(`heap snapshot of ${node.agency} into ${HEAP_SNAPSHOTS}`);
  node.child?.kill("SIGUSR2");
  let size = -1;
  for (;;) {
    await sleep(2000);
    const file = (await readdir(HEAP_SNAPSHOTS)).find((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
    if (file === undefined) continue;
    const now = (await stat(join(HEAP_SNAPSHOTS, file))).size;
    if (now === size && now > 0) {
      log(`  ${file}: ${fmt(now / 2 ** 20)} MiB`);
      return;
    }
    size = now;
  }
}

/** Everything measured on one store kind: its limits, then one cluster under every load, then the profile run. */
async function runKind(
  dir: string,
  keys: Key[],
  w: Workload,
  setup: Uint8Array[],
  stores: BenchStores,
  limitTxs: LimitTxs | null,
  window: number,
): Promise<KindResult> {
  const label = STORE_LABEL[stores.kind];
  const limits: StoreLimits =
    limitTxs === null
      ? { one: GIVEN_LIMIT, four: GIVEN_LIMIT, fourEach: [] }
      : await measureStoreLimits(limitTxs, stores);

  log(`cluster (${label}): starting four validators`);
  const c = await startCluster(dir, `${stores.kind}-main`, keys, stores, setup);
  const rssStart = (await statuses(c.nodes)).map((s) => s?.rssBytes ?? Number.NaN);
  const committedIn = (r: LoadResult) => c.watcher.rate(measuredFrom(r), r.to);
  let buildMs = 0;
  const curve: CurvePoint[] = [];
  let sat: LoadResult;
  let easy: LoadResult;
  let easyRate = 0;
  let soaked: Awaited<ReturnType<typeof soak>> | null = null;
  let soakRate = 0;
  try {
    for (const factor of CURVE) {
      const offered = factor * limits.four;
      const r = await pacedLoad(c, w, `${factor} × the 4-replica limit`, offered);
      buildMs += r.buildMs;
      curve.push({ factor, offered, load: r.load, committed: committedIn(r.load) });
    }
    const satPool = accessTxs(
      w,
      c.seq,
      Math.ceil((limits.one * LOAD_SECONDS * 1.1) / RECEIPTS_PER_TX) + window,
      RECEIPTS_PER_TX,
    );
    buildMs += satPool.ms;
    log(`load (b): saturation, ${window} txs in flight, for ${LOAD_SECONDS} s`);
    sat = await saturate(c, satPool.txs, window, LOAD_SECONDS);
    log(`  committed ${fmt(committedIn(sat))} receipts/s`);
    if (HEAP_SNAPSHOTS !== "")
      await heapSnapshot(c.nodes.find((n) => n.agency === PROFILED) as Node, stores.kind);

    const best = Math.max(committedIn(sat), ...curve.map((p) => p.committed));
    easyRate = best / 2;
    const e = await pacedLoad(c, w, "(c), half of the best committed", easyRate);
    buildMs += e.buildMs;
    easy = e.load;

    if (SOAK_SECONDS > 0) {
      // A short saturation burst can overstate what the cluster sustains; soak below what (c) really committed.
      soakRate = Math.min(easyRate, 0.8 * committedIn(easy));
      log(`soak: ${fmt(soakRate)} receipts/s for ${SOAK_SECONDS} s, memory every ${SAMPLE_SECONDS} s`);
      soaked = await soak(c, w, soakRate / RECEIPTS_PER_TX, SOAK_SECONDS);
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${await diagnose(c.nodes)}`);
  }
  const end = await statuses(c.nodes);
  const peaks = await c.memory.stop();
  await stopCluster(c);
  const satBlocks = c.watcher.blocksIn(measuredFrom(sat), sat.to);
  const rounds = await blockRounds(c.provider.store, [
    (satBlocks[0]?.height ?? 1) - 1,
    ...satBlocks.map((b) => b.height),
  ]);
  const prof = PROFILE_SECONDS > 0 ? await profileRun(dir, keys, stores, w, setup, limits, window) : null;
  return {
    kind: stores.kind,
    limits,
    curve,
    sat: { load: sat, committed: committedIn(sat), blocks: satBlocks, rounds },
    easy: { rate: easyRate, load: easy, committed: committedIn(easy) },
    agencies: c.nodes.map((n) => n.agency),
    rssStart,
    end,
    peaks,
    refusals: c.refusals,
    buildMs,
    prof,
    soak: soaked === null ? null : { rate: soakRate, ...soaked },
  };
}

async function run(dir: string): Promise<void> {
  const kinds = storeKinds();
  log(
    `temp dir ${dir}; stores ${kinds.join(", ")}; loads of ${LOAD_SECONDS} s, curve ${CURVE.join(", ")} × the limit, profile ${PROFILE_SECONDS} s, soak ${SOAK_SECONDS} s`,
  );
  const keys = await makeKeys(dir);
  await writeGenesis(dir, keys);
  const signerOf = (a: string) => (keys.find((k) => k.agency === a) as { signer: Signer }).signer;
  const w: Workload = {
    chain: "coken-bench-cluster",
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

  const limitTxs = GIVEN_LIMIT > 0 ? null : await writeLimitTxs(dir, w, setup, perBlock);
  const cpu: CpuLimits | null = limitTxs === null ? null : await measureCpuLimits(limitTxs);
  const results: KindResult[] = [];
  for (const kind of kinds) {
    const stores = new BenchStores(kind, dir);
    try {
      results.push(await runKind(dir, keys, w, setup, stores, limitTxs, window));
    } finally {
      stores.dropAll();
    }
  }
  const info: RunInfo = {
    seconds: (Date.now() - STARTED_AT) / 1000,
    loadAtStart,
    txBytes: sample.length,
    perBlock,
    window,
    cpu,
  };
  const md = report(info, results);
  if (WRITE) writeSection("consensus", md);
  process.stdout.write(`\n${md}\n`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "coken-bench-cluster-"));
  const onSignal = () => {
    void stopAll()
      .then(dropAllStores)
      .finally(() => rm(dir, { recursive: true, force: true }).finally(() => process.exit(130)));
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

await main();
