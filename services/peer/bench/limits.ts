/** The machine's own limit for the validators' work, without consensus or network (limit-worker.js processes). */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StoreConfig } from "@coken/store";
import { type BenchStores, STORE_LABEL } from "./bench-stores.js";
import { fmt, HAS_TASKSET, log, track } from "./bench-util.js";
import {
  LIMIT_BLOCKS,
  LIMIT_WARM_BLOCKS,
  PASSPHRASE,
  PEER_ENV,
  RECEIPTS_PER_TX,
  VALIDATORS,
} from "./settings.js";
import { accessTxs, packTxs, type Workload } from "./txs.js";

const WORKER = fileURLToPath(new URL("./limit-worker.js", import.meta.url));

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
      env: { ...process.env, ...PEER_ENV, COKEN_BENCH_PASSPHRASE: PASSPHRASE },
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

/** How a limit worker finds its store: a PGlite folder or a PostgreSQL URL. */
const storeArg = (s: StoreConfig) => (s.kind === "pglite" ? (s.dataDir as string) : s.url);

/** The txs every limit worker applies, written once to a file they read. */
export interface LimitTxs {
  genesis: string;
  file: string;
  perBlock: number;
}

export async function writeLimitTxs(dir: string, w: Workload, setup: Uint8Array[], perBlock: number) {
  const count = (1 + LIMIT_WARM_BLOCKS + LIMIT_BLOCKS) * perBlock;
  const built = accessTxs(w, 2, count, RECEIPTS_PER_TX);
  const file = join(dir, "limit-txs.bin");
  await writeFile(file, packTxs([...setup, ...built.txs]));
  return { genesis: join(dir, "genesis.json"), file, perBlock } satisfies LimitTxs;
}

const common = (t: LimitTxs, mode: string) => [
  mode,
  t.genesis,
  t.file,
  String(t.perBlock),
  String(LIMIT_WARM_BLOCKS),
];

/** What one validator alone does on one core without a store: apply only, and the peer's whole path. */
export interface CpuLimits {
  apply: number;
  validator: number;
}

export async function measureCpuLimits(t: LimitTxs): Promise<CpuLimits> {
  log("limit: one validator alone on one core, check + apply");
  const apply = rateOf(await worker(common(t, "apply"), 0).done);
  log(`  ${fmt(apply)} receipts/s`);
  log("limit: one validator alone on one core, the peer's path (checkTx, execute, apply, re-check)");
  const validator = rateOf(await worker(common(t, "validator"), 0).done);
  log(`  ${fmt(validator)} receipts/s`);
  return { apply, validator };
}

/** With a store: one process alone, and four at once (the work of four validators on the same machine). */
export interface StoreLimits {
  one: number;
  four: number;
  fourEach: number[];
}

export async function measureStoreLimits(t: LimitTxs, stores: BenchStores): Promise<StoreLimits> {
  const label = STORE_LABEL[stores.kind];
  log(`limit (${label}): one process, check + apply + store (StoredLedger)`);
  const one = rateOf(await worker([...common(t, "store"), storeArg(stores.create("limit-one"))], null).done);
  log(`  ${fmt(one)} receipts/s`);
  log(`limit (${label}): four such processes at once (the work of four validators, no consensus)`);
  const ws = VALIDATORS.map((_, i) =>
    worker([...common(t, "store"), storeArg(stores.create(`limit-four-${i}`)), "--barrier"], null),
  );
  await Promise.all(ws.map((x) => x.ready));
  for (const x of ws) x.child.stdin?.write("go\n");
  const results = await Promise.all(ws.map((x) => x.done));
  const slowest = Math.max(...results.map((r) => r.seconds));
  const four = ((results[0] as WorkerResult).txs * RECEIPTS_PER_TX) / slowest;
  log(`  ${fmt(four)} receipts/s per replica`);
  return { one, four, fourEach: results.map(rateOf) };
}
