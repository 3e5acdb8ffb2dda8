import type { ProofBinding } from "../src/api.js";
import { buildDatasetCommitmentParallel } from "../src/commitment/parallel.js";
import type { CurveThreads } from "../src/prover/messages.js";
import { createQueryProver } from "../src/prover/query-prover.js";
import { createArtifactRegistry } from "../src/registry/artifacts.js";
import { buildArtifacts } from "../src/setup/build.js";
import { defaultCacheDir } from "../src/setup/cache.js";
import { benchCases, DEPTH, FILTER, SPECS } from "./cases.js";
import { benchRows, FIELDS, INDEXES } from "./dataset.js";
import type { PoolRun } from "./pool-configs.js";
import { forceGc, memory, quantile, rssSampler } from "./stats.js";

// One pool configuration in a process of its own (RSS only grows): `pool-child.js <size> <curveThreads>`.
const size = Number(process.argv[2]);
const curveThreads = process.argv[3] as CurveThreads;
const ROUNDS = 2;

const registry = createArtifactRegistry(
  await buildArtifacts(SPECS, { cacheDir: defaultCacheDir(), phaseOne: { kind: "dev" } }),
);
const rows = benchRows(FILTER.rows - 1, 5);
const small = await buildDatasetCommitmentParallel(FIELDS, rows, { depth: DEPTH, indexes: INDEXES });
const row = rows[3] ?? rows[0];
if (row === undefined) throw new Error("no rows");
forceGc();
const baseRss = memory().rss;

const prover = createQueryProver({
  pool: { size, curveThreads, timeoutMs: 900_000 },
  statements: { filter: FILTER },
})({
  artifacts: registry,
});
prover.register("small", small.dataset);
await prover.ready();
forceGc();
const readyRss = memory().rss;

let nonce = 0;
const binding = (): ProofBinding => ({
  requester: "bench.asker",
  nonce: Uint8Array.from({ length: 16 }, (_, j) => (nonce++ * 31 + j) & 255),
  expiresAt: Date.now() + 600_000,
});
const cases = benchCases(row);
const peak = rssSampler();
const sequentialMs: Record<string, number> = {};
for (const c of cases) {
  const times: number[] = [];
  for (let i = 0; i <= ROUNDS; i++) {
    const t0 = performance.now();
    await prover.prove("small", c.query, binding());
    if (i > 0) times.push(performance.now() - t0); // the first proof of a circuit loads its keys
  }
  sequentialMs[c.label] = quantile(times, 0.5);
}
// Every circuit at once, as a busy peer would queue them.
const t0 = performance.now();
const jobs = cases.map((c) => prover.prove("small", c.query, binding()));
await Promise.all(jobs);
const concurrentMs = performance.now() - t0;
const peakRss = peak.stop();
await prover.close();

const result: PoolRun = {
  size,
  curveThreads,
  baseRss,
  readyRss,
  peakRss,
  sequentialMs,
  concurrentMs,
  concurrentJobs: jobs.length,
};
process.stdout.write(`\n${JSON.stringify(result)}\n`);
