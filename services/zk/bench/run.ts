import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import type { DatasetCommitment } from "@coken/ledger";
import { machine, writeSection } from "@coken/ledger/bench-report";
import type { ExpectedAnswer, ProofBinding, ZkAnswer } from "../src/api.js";
import { buildDatasetCommitmentIsolated } from "../src/commitment/isolated.js";
import { buildDatasetCommitmentParallel } from "../src/commitment/parallel.js";
import type { DatasetRow } from "../src/commitment/rows.js";
import { proveGroth16, witnessElements } from "../src/prover/groth16.js";
import { parseProvingKey } from "../src/prover/proving-key.js";
import { createQueryProver, type TimedAnswer } from "../src/prover/query-prover.js";
import { createArtifactRegistry } from "../src/registry/artifacts.js";
import { buildArtifacts } from "../src/setup/build.js";
import { defaultCacheDir } from "../src/setup/cache.js";
import { formatElapsed } from "../src/setup/progress.js";
import {
  loadCurve,
  loadPairingCurve,
  loadSnarkjs,
  loadWitnessCalculator,
  releaseCurve,
  type VerificationKeyJson,
} from "../src/setup/snark.js";
import { buildInput } from "../src/statements/index.js";
import { createAnswerVerifier } from "../src/verifier/answer-verifier.js";
import { encodeProofBundle } from "../src/verifier/bundle.js";
import { prepareKey, verifyGroth16 } from "../src/verifier/groth16.js";
import { ownWellFormed } from "../src/wellformed/evidence.js";
import { benchCases, DEPTH, FILTER, SPECS } from "./cases.js";
import { benchRowPages, benchRows, FIELDS, INDEXES } from "./dataset.js";
import { comparePoolConfigs, type PoolRun } from "./pool-configs.js";
import { forceGc, memory, ms, quantile, rssSampler } from "./stats.js";

// Full size by default (2^20 − 1 rows, depth-20 trees); COKEN_ZK_BENCH_ROWS / _ROUNDS shrink a trial run, and
// COKEN_ZK_BENCH_POOLS=0 skips the pool configuration comparison.
const ROWS = Number(process.env.COKEN_ZK_BENCH_ROWS ?? 2 ** DEPTH - 1);
const ROUNDS = Number(process.env.COKEN_ZK_BENCH_ROUNDS ?? 10);
const POOLS = process.env.COKEN_ZK_BENCH_POOLS !== "0";

const start = performance.now();
const log = (line: string): void => console.log(`[${formatElapsed(performance.now() - start)}] ${line}`);

log(`zk bench on ${machine()}: ${ROWS} rows, depth ${DEPTH}, ${ROUNDS} rounds per query`);
const artifacts = await buildArtifacts(SPECS, {
  cacheDir: defaultCacheDir(),
  phaseOne: { kind: "dev" },
  progress: log,
});
const registry = createArtifactRegistry(artifacts);

const loadBefore = loadavg()[0] ?? 0;
forceGc();
const before = memory();
const startRss = before.rss;
// As a peer does (proved-datasets.ts): rows streamed a page at a time into a building process of its own.
log("committing rows (generated page by page, built in a child process)");
const PICK = 12345 % ROWS;
let row: DatasetRow | undefined;
function* pages() {
  let seen = 0;
  for (const page of benchRowPages(ROWS, 1000)) {
    if (PICK >= seen && PICK < seen + page.length) row = page[PICK - seen];
    seen += page.length;
    yield page;
  }
}
const commitRss = rssSampler();
const t0 = performance.now();
const big = await buildDatasetCommitmentIsolated(FIELDS, pages(), { depth: DEPTH, indexes: INDEXES });
const commitMs = performance.now() - t0;
const commitPeak = commitRss.stop();
if (row === undefined) throw new Error("no rows");
const buildPeak = big.buildPeakRss / 2 ** 20;
log(
  `committed ${ROWS} rows with 2 indexes in ${ms(commitMs)}; peak RSS here ${commitPeak.toFixed(0)} MiB, in the building process ${buildPeak.toFixed(0)} MiB`,
);
const small = await buildDatasetCommitmentParallel(FIELDS, benchRows(FILTER.rows - 1, 5), {
  depth: DEPTH,
  indexes: INDEXES,
});
forceGc();
const committed = memory();
// The committed trees are packed into array buffers: what they hold now beyond what they held before the rows.
const datasetMiB = committed.arrayBuffers - before.arrayBuffers;
log(
  `after commit and GC: RSS ${committed.rss.toFixed(0)} MiB (JS heap ${committed.heap.toFixed(0)}, array buffers ${committed.arrayBuffers.toFixed(0)}; committed arrays ${datasetMiB.toFixed(0)} MiB)`,
);

const prover = createQueryProver({ statements: { filter: FILTER } })({ artifacts: registry });
prover.register("bench.big", big.dataset);
prover.register("bench.small", small.dataset);
await prover.ready();
forceGc();
const warm = memory();
const workers = prover.stats().workers;
log(`prover pool warm (${workers} threads): RSS ${warm.rss.toFixed(0)} MiB`);
const verifier = createAnswerVerifier()({ keys: registry });
const circuits = artifacts.map((a) => a.circuit);
const onLedger = (c: typeof big.commitment): DatasetCommitment => ({
  ...c,
  verifyingKeys: registry.verifyingKeysFor(circuits),
});
// The Groth16 check alone, both ways on the same proofs: the fast path (as the asker runs it) here, snarkjs with
// its warm, threaded curve after the proving rounds, so that its threads are not in this process meanwhile (a
// peer has none: the peak RSS columns are the prover's, the dataset's and the fast verifier's).
const snarkjs = await loadSnarkjs();
const pairing = await loadPairingCurve();
const groth16Fast: number[] = [];
const groth16Snarkjs: number[] = [];
const checked: { vk: VerificationKeyJson; bundle: ZkAnswer["proof"] }[] = [];

const cases = benchCases(row);

interface Row {
  label: string;
  circuit: string;
  constraints: number;
  prove: number[];
  witness: number[];
  groth16: number[];
  verify: number[];
  proofBytes: number;
  bundleBytes: number;
  rss: number;
}
const results: Row[] = [];
for (const c of cases) {
  const timed: TimedAnswer[] = [];
  const verify: number[] = [];
  const total: number[] = [];
  const rss = rssSampler();
  for (let i = 0; i < ROUNDS + 1; i++) {
    const binding: ProofBinding = {
      requester: "bench.asker",
      nonce: Uint8Array.from({ length: 16 }, (_, j) => (i * 17 + j) & 255),
      expiresAt: Date.now() + 600_000,
    };
    const p0 = performance.now();
    const r = await prover.proveTimed(c.small ? "bench.small" : "bench.big", c.query, binding);
    const p1 = performance.now();
    const commitment = onLedger(c.small ? small.commitment : big.commitment);
    // The bench verifies as an asker that has checked the owner's well-formedness evidence: the record is the
    // one that evidence yields (docs/spec/zk.md §9), taken here from the owner's own trees.
    const wellFormed = ownWellFormed(c.small ? small.dataset : big.dataset);
    const expected: ExpectedAnswer = { commitment, fields: FIELDS, query: c.query, binding, wellFormed };
    const v0 = performance.now();
    await verifier.verify(r.answer, expected);
    const v1 = performance.now();
    const bundle = r.answer.proof;
    const vk = await registry.verificationKey(Buffer.from(bundle.verifyingKeyHash).toString("hex"));
    if (vk === undefined) throw new Error("no verification key");
    const key = prepareKey(pairing, vk);
    const f0 = performance.now();
    const fast = verifyGroth16(pairing, key, bundle.publicSignals, bundle.proof);
    const f1 = performance.now();
    if (!fast) throw new Error("an honest proof failed the fast check");
    if (i === 0) continue; // warm-up: first use of this circuit loads its keys into a thread
    groth16Fast.push(f1 - f0);
    checked.push({ vk, bundle });
    timed.push(r);
    total.push(p1 - p0);
    verify.push(v1 - v0);
  }
  const peak = rss.stop();
  const last = timed.at(-1);
  if (last === undefined) throw new Error("no rounds");
  const a = registry.get(last.answer.proof.circuit);
  results.push({
    label: c.label,
    circuit: a.circuit,
    constraints: a.constraints,
    prove: total,
    witness: timed.map((t) => t.timings.witnessMs + t.timings.inputMs),
    groth16: timed.map((t) => t.timings.proveMs),
    verify,
    proofBytes: JSON.stringify(last.answer.proof.proof).length,
    bundleBytes: encodeProofBundle(last.answer.proof).length,
    rss: peak,
  });
  log(
    `${c.label}: prove p50 ${ms(quantile(total, 0.5))}, verify p50 ${ms(quantile(verify, 0.5))}, peak RSS ${peak.toFixed(0)} MiB`,
  );
}
await loadCurve();
for (const { vk, bundle } of checked) {
  const f0 = performance.now();
  const reference = await snarkjs.groth16.verify(vk, bundle.publicSignals, bundle.proof);
  groth16Snarkjs.push(performance.now() - f0);
  if (!reference) throw new Error("snarkjs refused an honest proof");
}

// The Groth16 step alone, side by side on the same witnesses, alternating: Coken's prover and snarkjs's, both on
// this thread's curve (per-core threads), the pool idle.
const SIDE_ROUNDS = Math.max(3, Math.min(ROUNDS, 7));
const sideBySide: { circuit: string; coken: number; snarkjs: number }[] = [];
for (const c of cases.filter((x) => !x.small)) {
  const binding: ProofBinding = {
    requester: "bench.asker",
    nonce: new Uint8Array(16),
    expiresAt: Date.now() + 600_000,
  };
  const task = buildInput(big.dataset, c.query, binding);
  if (sideBySide.some((s) => s.circuit === task.circuit)) continue;
  const a = registry.get(task.circuit);
  const zkey = new Uint8Array(await readFile(a.zkey));
  const key = parseProvingKey(zkey);
  const calculator = await loadWitnessCalculator(await readFile(a.wasm));
  const wtns = await calculator.calculateWTNSBin(task.input, true);
  const witness = witnessElements(wtns, key.nVars);
  const times = { coken: [] as number[], snarkjs: [] as number[] };
  const curve = await loadCurve();
  for (let i = 0; i <= SIDE_ROUNDS; i++) {
    const t0 = performance.now();
    await proveGroth16(curve, key, witness);
    const t1 = performance.now();
    await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
    const t2 = performance.now();
    if (i === 0) continue;
    times.coken.push(t1 - t0);
    times.snarkjs.push(t2 - t1);
  }
  const row = {
    circuit: task.circuit,
    coken: quantile(times.coken, 0.5),
    snarkjs: quantile(times.snarkjs, 0.5),
  };
  sideBySide.push(row);
  log(`${row.circuit}: Groth16 p50 ${ms(row.coken)} (Coken) vs ${ms(row.snarkjs)} (snarkjs)`);
}
await prover.close();
await verifier.close();
await releaseCurve();
const loadAfter = loadavg()[0] ?? 0;
const proving = Math.max(...results.map((r) => r.rss));
const fastP50 = quantile(groth16Fast, 0.5);
const snarkjsP50 = quantile(groth16Snarkjs, 0.5);
log(
  `Groth16 check alone: fast path p50 ${ms(fastP50)}, snarkjs p50 ${ms(snarkjsP50)} (${(snarkjsP50 / fastP50).toFixed(1)}× faster)`,
);

// Pool configurations, each in a fresh process on the small dataset (the same circuits, so the same proving work).
// What the indexes cost: the same rows built with and without them, at 2^16 rows (side by side, same process kind).
const SPLIT_ROWS = Math.min(ROWS, 2 ** 16 - 1);
const splitRun = async (indexes: typeof INDEXES) => {
  const t = performance.now();
  await buildDatasetCommitmentIsolated(FIELDS, benchRowPages(SPLIT_ROWS, 1000), { depth: DEPTH, indexes });
  return performance.now() - t;
};
const split = { rowsOnly: await splitRun([]), withIndexes: await splitRun(INDEXES) };
const indexShare = Math.max(0, (split.withIndexes - split.rowsOnly) / split.withIndexes);
log(
  `${SPLIT_ROWS} rows: ${ms(split.rowsOnly)} without indexes, ${ms(split.withIndexes)} with both (indexes ${(100 * indexShare).toFixed(0)}%)`,
);

const pools: PoolRun[] = POOLS
  ? await comparePoolConfigs([
      { size: 1, curveThreads: "per-core" },
      { size: 2, curveThreads: "per-core" },
      { size: 1, curveThreads: "none" },
      { size: 2, curveThreads: "none" },
    ])
  : [];
const poolTable = pools.map((p) => {
  const seq = Object.values(p.sequentialMs);
  const sum = seq.reduce((a, b) => a + b, 0);
  return `| ${p.size} | ${p.curveThreads} | ${(p.readyRss - p.baseRss).toFixed(0)} MiB | ${(p.peakRss - p.baseRss).toFixed(0)} MiB | ${ms(sum)} | ${ms(p.concurrentMs)} |`;
});

const target: Record<string, number> = { threshold: 500, membership: 500, range: 1000 };
const table = results.map((r) => {
  const p50 = quantile(r.prove, 0.5);
  const kind = r.circuit.split("-")[0] ?? "";
  const goal = target[kind];
  const verdict = goal === undefined ? "—" : p50 <= goal ? `met (≤ ${ms(goal)})` : `not met (≤ ${ms(goal)})`;
  return `| ${r.label} | \`${r.circuit}\` | ${r.constraints} | ${ms(p50)} | ${ms(quantile(r.prove, 0.95))} | ${ms(quantile(r.witness, 0.5))} | ${ms(quantile(r.groth16, 0.5))} | ${ms(quantile(r.verify, 0.5))} | ${r.bundleBytes} B | ${r.rss.toFixed(0)} MiB | ${verdict} |`;
});
const filter = results.find((r) => r.circuit.startsWith("filter"));
const scan =
  filter === undefined
    ? ""
    : `${((FILTER.rows - 1) / (quantile(filter.prove, 0.5) / 1000)).toFixed(1)} rows/s`;
const maxVerify = Math.max(...results.map((r) => quantile(r.verify, 0.5)));
const poolSection =
  pools.length === 0
    ? ""
    : `
Prover pool configurations (each in a fresh process on the small depth-20 dataset: the same circuits, so the same
proving work; memory above that process's RSS with artifacts and dataset loaded, after a full GC):

| prover threads | curve threads | warm pool | peak while proving | one at a time (all 5 queries) | all 5 at once |
| ---: | --- | ---: | ---: | ---: | ---: |
${poolTable.join("\n")}
`;
writeSection(
  "zk",
  `## Zero-knowledge answers (services/zk/bench/run.ts)

${new Date().toISOString().slice(0, 10)}, ${machine()}. Groth16 (Coken's prover on ffjavascript's bn128 WebAssembly; keys from
snarkjs 0.7.6) with development keys (dev phase 1,
one-party phase 2: same proving cost as ceremony keys). Dataset: ${ROWS} rows, depth-${DEPTH} trees, 5 fields, two
sorted prefix-sum indexes. One warm pool of ${workers} prover thread(s), default curve threads; proofs one at a time,
${ROUNDS} rounds after a warm-up; prove = request to answer on the provider (statement + witness + Groth16);
verify = the asker's full check (signals, key, pairing) with prepared keys.

| query | circuit | constraints | prove p50 | prove p95 | statement + witness p50 | Groth16 p50 | verify p50 | bundle (CBOR) | peak RSS | prove target |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${table.join("\n")}

- Commit ${ROWS} rows and build both indexes: ${ms(commitMs)}, as a peer does it: the rows streamed a page of 1,000 at
  a time into a building process of its own (its worker threads hash), the packed trees sent back. Peak RSS of the
  building process ${buildPeak.toFixed(0)} MiB (all rows, the trees and the hash batches); of this process during the
  build ${commitPeak.toFixed(0)} MiB (${(commitPeak - startRss).toFixed(0)} MiB above the ${startRss.toFixed(0)} MiB before: a page of rows and the trees arriving).
- Building the indexes, side by side at ${SPLIT_ROWS} rows: ${ms(split.rowsOnly)} for the row tree alone, ${ms(split.withIndexes)}
  with both indexes: the indexes are ${(100 * indexShare).toFixed(0)}% of a build, so about ${ms(commitMs * indexShare)} of the
  ${ROWS}-row commit above (the rest: encoding, sorting and hashing the rows).
- Ad-hoc filter scan: ${scan} (a filter proof covers a bounded block of ${FILTER.rows - 1} rows).
- Verify target ≤ 15 ms: ${maxVerify <= 15 ? "met" : "not met"} (slowest p50 ${ms(maxVerify)}). The Groth16 check alone on
  the same ${groth16Fast.length} proofs: ${ms(fastP50)} p50 with prepared keys against ${ms(snarkjsP50)} for
  \`snarkjs.groth16.verify\` with a warm curve (${(snarkjsP50 / fastP50).toFixed(1)}× faster; both accepted every proof).
- Peer memory during proving ≤ 1 GiB: ${proving <= 1024 ? "met" : "not met"} (peak RSS ${proving.toFixed(0)} MiB while proving,
  the committed dataset in memory). Measured after the commitment was built and a full
  GC: ${committed.rss.toFixed(0)} MiB with the dataset (${datasetMiB.toFixed(0)} MiB of packed arrays, JS heap
  ${committed.heap.toFixed(0)} MiB), ${warm.rss.toFixed(0)} MiB once the pool was warm. Building the commitment is a
  phase of its own (peak above).
- The Groth16 step side by side on the same witness, alternating, ${SIDE_ROUNDS} rounds each after a warm-up (this
  process's curve, per-core threads; docs/spec/zk.md §11 "Proving" says what differs):

  | circuit | Coken prover p50 | \`snarkjs.groth16.prove\` p50 | ratio |
  | --- | ---: | ---: | ---: |
${sideBySide.map((r) => `  | \`${r.circuit}\` | ${ms(r.coken)} | ${ms(r.snarkjs)} | ${(r.coken / r.snarkjs).toFixed(2)} |`).join("\n")}
- Before \`meta(rowCount, schema)\` became a public input of every answer circuit (the run of 2026-12-03, same
  machine class and dataset): prove p50 458 ms threshold, 424 ms membership, 790 ms COUNT, 787 ms SUM, 1.69 s filter;
  verify p50 7.75–8.29 ms. The circuits gained no constraint, only one public signal (one more G1 term per verify).
- Groth16 proof: ${results[0]?.proofBytes ?? 0} B as snarkjs JSON; 256 B as raw uncompressed points.
- 1-minute load average before / after the proofs: ${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)} on ${machine().split(", ")[1]}
  (above the core count, other work shared the CPU and every time above is inflated accordingly).
${poolSection}`,
);
log("written to docs/BENCHMARKS.md");
