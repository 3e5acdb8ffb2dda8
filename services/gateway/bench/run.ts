import { machine, writeSection } from "@coken/ledger/bench-report";
import { type LoadResult, quantile, runLoad } from "./load.js";
import { buildPaths } from "./paths.js";
import { type BenchBackend, pgliteBackend, postgresBackend } from "./stores.js";
import { benchWorld, ROWS } from "./world.js";

const THROUGHPUT = { concurrency: 8, warmupMs: 2000, durationMs: 8000 };
const LATENCY = { concurrency: 1, warmupMs: 1000, durationMs: 5000 };
const MiB = 1024 * 1024;

interface Measured {
  throughput: LoadResult;
  latency: LoadResult;
  rps: number;
}

interface Comparison {
  backend: string;
  mode: string;
  bare: Measured;
  coken: Measured;
  receipts: number;
}

async function measure(label: string, call: (i: number) => Promise<void>): Promise<Measured> {
  const throughput = await runLoad({ ...THROUGHPUT, call });
  const latency = await runLoad({ ...LATENCY, call });
  const rps = throughput.calls / throughput.seconds;
  console.log(
    `  ${label.padEnd(28)} ${rps.toFixed(0).padStart(6)} calls/s (c=${THROUGHPUT.concurrency})  p50 ${quantile(latency.latencies, 0.5).toFixed(2)} ms  p99 ${quantile(latency.latencies, 0.99).toFixed(2)} ms (c=1)  peak rss ${(throughput.peakRss / MiB).toFixed(0)} MiB  errors ${throughput.errors + latency.errors}`,
  );
  return { throughput, latency, rps };
}

async function runBackend(backend: BenchBackend): Promise<Comparison[]> {
  console.log(backend.name);
  const world = await benchWorld(Date.now(), backend.open);
  const paths = await buildPaths(world);
  const out: Comparison[] = [];
  try {
    for (const mode of paths.modes) {
      const bare = await measure(`${mode.name} bare`, mode.bare);
      const coken = await measure(`${mode.name} coken`, mode.coken);
      out.push({ backend: backend.name, mode: mode.name, bare, coken, receipts: 0 });
    }
    const repo = world.providerStore.gateway;
    const queued = (await repo?.outstandingByGrant()) ?? [];
    for (const c of out) c.receipts = queued.reduce((n, g) => n + g.count, 0);
  } finally {
    await paths.close();
    await world.close();
    backend.cleanup();
  }
  return out;
}

const p = (m: Measured, q: number, of: "latency" | "throughput" = "latency") => quantile(m[of].latencies, q);
const verdict = (ok: boolean) => (ok ? "met" : "**not met**");

function report(results: Comparison[]): string {
  const rows = results.flatMap((r) =>
    (["bare", "coken"] as const).map((side) => {
      const m = r[side];
      return `| ${r.backend} | ${r.mode} | ${side === "bare" ? "bare graphql-yoga" : "Coken path"} | ${m.rps.toFixed(0)} | ${p(m, 0.5).toFixed(2)} | ${p(m, 0.99).toFixed(2)} | ${p(m, 0.5, "throughput").toFixed(2)} | ${(m.throughput.peakRss / MiB).toFixed(0)} | ${m.throughput.errors + m.latency.errors} |`;
    }),
  );
  const targets = results.map((r) => {
    const ratio = r.coken.rps / r.bare.rps;
    const p50 = p(r.coken, 0.5) - p(r.bare, 0.5);
    const p99 = p(r.coken, 0.99) - p(r.bare, 0.99);
    const rss = r.coken.throughput.peakRss;
    return `| ${r.backend} | ${r.mode} | ${(ratio * 100).toFixed(0)}% (${verdict(ratio >= 0.8)}) | +${p50.toFixed(2)} ms (${verdict(p50 <= 3)}) | +${p99.toFixed(2)} ms | ${(rss / MiB).toFixed(0)} MiB (${verdict(rss <= 300 * MiB)}) |`;
  });
  return `## Gateway: bare graphql-yoga vs the Coken path (${new Date().toISOString().slice(0, 10)})

Machine: ${machine()}. \`npm run bench\` → \`services/gateway/dist/bench/run.js\`.

Both serve the same schema (\`/peer/graphql\`) and the same ${ROWS} rows and answer a record lookup (a kind
without proof generation). The Coken path is the real provider endpoint and federation client: the asker signs
each request (Ed25519 over requester, grant, query hash, variables hash, nonce, time); the provider checks the
signature, the replay window and the nonce (persisted), freezes and the grant (kind, fields, expiry, quota) on
ledger state, answers, persists the access receipt in its queue and signs the response; the asker checks that
signature and the hashes, recomputes the receipt id and logs the call in its own store. Rate limiting is off for
the run. "local" calls the handlers in process; "remote" goes over one loopback HTTP hop (bare: yoga's own Node
server; Coken: the gateway's HTTP server with the provider endpoint mounted). Throughput: ${THROUGHPUT.concurrency}
closed-loop callers for ${THROUGHPUT.durationMs / 1000} s after ${THROUGHPUT.warmupMs / 1000} s warm-up; latency: one
caller for ${LATENCY.durationMs / 1000} s. The load generator, the servers and both stores share one Node process
on this 2-core machine, so absolute rates are lower than on a dedicated host, and RSS is that of the whole
process (gateway, provider, asker, both stores, load generator; PGlite's WebAssembly Postgres alone takes
hundreds of MiB), an upper bound for the gateway's own memory. The federation client batches calls queued in
the same tick into one HTTP request, as in production.

| stores | mode | server | calls/s | p50 ms (c=1) | p99 ms (c=1) | p50 ms (c=${THROUGHPUT.concurrency}) | peak RSS MiB | errors |
|---|---|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

| stores | mode | throughput vs bare (≥ 80%) | p50 overhead (≤ 3 ms) | p99 overhead | process RSS under load (≤ 300 MiB) |
|---|---|---|---|---|---|
${targets.join("\n")}

Receipts queued by the provider during a backend's runs: ${[...new Set(results.map((r) => `${r.backend} ${r.receipts}`))].join(", ")}.`;
}

async function main(): Promise<void> {
  console.log(`gateway bench on ${machine()}`);
  const backends = [postgresBackend(), pgliteBackend].filter((b): b is BenchBackend => b !== null);
  const results: Comparison[] = [];
  for (const backend of backends) results.push(...(await runBackend(backend)));
  writeSection("gateway", report(results));
}

await main();
