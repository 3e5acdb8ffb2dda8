import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type BlockCommit, openStore, type Store } from "../src/index.js";
import { ChainBuilder, makeReceipt } from "../test/fixtures/chain.js";
import { createScratchDatabase } from "../test/fixtures/pg-admin.js";
import { type BenchResult, machine, rate, writeSection } from "./report.js";

const BLOCKS = 50;
const PER_BLOCK = 2_000;
const AGENCIES = ["tax", "health", "police", "transport", "education", "land"];

/** Built once, outside the timed region, and replayed against every backend. */
function buildChain(): BlockCommit[] {
  const chain = new ChainBuilder();
  return Array.from({ length: BLOCKS }, () =>
    chain.next({
      txs: 1,
      receipts: (h) =>
        Array.from({ length: PER_BLOCK }, (_, n) =>
          makeReceipt(h, n, {
            provider: AGENCIES[n % AGENCIES.length] ?? "",
            requester: AGENCIES[(n * 7 + h) % AGENCIES.length] ?? "",
            dataset: `dataset-${n % 40}`,
            grantId: `grant-${n % 500}`,
            timeMs: 1_700_000_000_000 + h * 5_000 + (n % 5_000),
          }),
        ),
    }),
  );
}

async function measure(
  label: string,
  commits: BlockCommit[],
  open: () => Promise<Store>,
): Promise<BenchResult> {
  const store = await open();
  try {
    const started = performance.now();
    for (const commit of commits) await store.ledger.commitBlock(commit);
    const seconds = (performance.now() - started) / 1000;
    const result = { label, receipts: BLOCKS * PER_BLOCK, seconds };
    console.log(
      `${label.padEnd(24)} ${seconds.toFixed(2).padStart(7)} s ${Math.round(rate(result)).toLocaleString("en-US").padStart(9)} receipts/s`,
    );
    return result;
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  console.log(`store bench: ${BLOCKS} blocks × ${PER_BLOCK} receipts on ${machine()}`);
  const commits = buildChain();
  // Untimed pass so JIT and WebAssembly tier-up do not count against whichever backend happens to run first.
  const warmup = await openStore({ kind: "pglite" });
  for (const commit of commits.slice(0, 10)) await warmup.ledger.commitBlock(commit);
  await warmup.close();
  const results: BenchResult[] = [];
  results.push(await measure("PGlite (in memory)", commits, () => openStore({ kind: "pglite" })));
  const dataDir = await mkdtemp(join(tmpdir(), "coken-bench-"));
  try {
    results.push(await measure("PGlite (on disk)", commits, () => openStore({ kind: "pglite", dataDir })));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const database = await createScratchDatabase("coken_bench");
  let postgres: BenchResult;
  try {
    postgres = await measure("PostgreSQL", commits, () => openStore({ kind: "postgres", url: database.url }));
    results.push(postgres);
  } finally {
    await database.drop();
  }
  for (const r of results) {
    if (r !== postgres) console.log(`${r.label}: ${(rate(r) / rate(postgres)).toFixed(2)}× PostgreSQL`);
  }
  writeSection(results, BLOCKS, PER_BLOCK, postgres);
  console.log("updated docs/BENCHMARKS.md");
}

await main();
