import { fork } from "node:child_process";
import { once } from "node:events";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { machine, writeSection } from "@coken/ledger/bench-report";
import { breakdown } from "./breakdown.js";
import { type LoadResult, quantile, runLoad } from "./load.js";
import { officialsMode } from "./officials.js";
import { askerCalls, buildPaths, type Mode } from "./paths.js";
import type { ProviderProcessConfig, ProviderProcessMessage } from "./provider-process.js";
import { type BenchBackend, pgliteBackend, postgresBackend } from "./stores.js";
import { benchWorld, ROWS } from "./world.js";

// Bare and Coken runs alternate in short rounds, so load from other processes on the machine hits both alike.
// Knobs for focused runs (profiling, before/after checks): COKEN_GATEWAY_BENCH_ROUNDS, _BACKENDS (`postgres`,
// `postgres-async`, `pglite`, comma-separated), _MODES (`local`, `remote`, `officials`). A filtered run prints its numbers and does
// not write docs/BENCHMARKS.md, whose section must describe a full run.
const ROUNDS = Number(process.env.COKEN_GATEWAY_BENCH_ROUNDS ?? 6);
const only = (name: string) => process.env[`COKEN_GATEWAY_BENCH_${name}`]?.split(",").map((s) => s.trim());
const BACKENDS = only("BACKENDS");
const MODES = only("MODES");
const selected = (filter: string[] | undefined, name: string) =>
  filter === undefined || filter.some((f) => name.toLowerCase().includes(f.toLowerCase()));
const THROUGHPUT = { concurrency: 8, warmupMs: 500, durationMs: 1500 };
const LATENCY = { concurrency: 1, warmupMs: 1000, durationMs: 1000 };
const MiB = 1024 * 1024;

interface Measured {
  throughput: LoadResult;
  latency: LoadResult;
  rps: number;
  /** CPU time of the provider's own process per call over the throughput runs, ms (two-process mode only). */
  providerCpuMs?: number;
}

interface Comparison {
  backend: string;
  mode: string;
  bare: Measured;
  coken: Measured;
  receipts: number;
  /** Peak RSS of the provider's own process over the mode (two-process mode only), bytes. */
  providerRss?: number;
}

const TWO_PROCESSES = "two processes (provider on its own)";
const PEER_HEAP_FLAGS = ["--max-old-space-size=192", "--max-semi-space-size=8"];

/** The provider in a process of its own (its own store); the asker and the load generator stay here. */
async function providerProcess(world: Awaited<ReturnType<typeof benchWorld>>, backend: BenchBackend) {
  const config: ProviderProcessConfig = {
    now: world.now,
    store: backend.childStore(),
    receiptCommit: backend.receiptCommit ?? "flush",
  };
  const start = (c: ProviderProcessConfig) =>
    fork(fileURLToPath(new URL("./provider-process.js", import.meta.url)), [JSON.stringify(c)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // The heap cap `npm run peer` starts a peer with (package.json); COKEN_GATEWAY_BENCH_PROVIDER_FLAGS adds
      // Node flags (e.g. --cpu-prof to profile the provider).
      execArgv: [
        ...process.execArgv,
        ...PEER_HEAP_FLAGS,
        ...(process.env.COKEN_GATEWAY_BENCH_PROVIDER_FLAGS?.split(" ").filter((f) => f !== "") ?? []),
      ],
    });
  const [code] = await once(start({ ...config, prepareOnly: true }), "exit");
  if (code !== 0) throw new Error(`provider store preparation failed (${code})`);
  const child = start(config);
  const next = () =>
    new Promise<ProviderProcessMessage>((resolve, reject) => {
      const exit = (code: number | null) => reject(new Error(`provider process exited (${code})`));
      child.once("exit", exit);
      child.once("message", (m: ProviderProcessMessage) => {
        child.off("exit", exit);
        resolve(m);
      });
    });
  const ready = await next();
  if (ready.type !== "ready") throw new Error("provider process: unexpected message");
  const asker = askerCalls(world.ledger, world.grant, world.askerStore);
  return {
    mode: {
      name: TWO_PROCESSES,
      bare: asker.bare((init) => fetch(`${ready.bareUrl}/peer/graphql`, init)),
      coken: asker.coken(ready.gatewayUrl, fetch),
    } satisfies Mode,
    /** The provider's peak RSS since the last call (bytes) and its CPU time so far (µs). */
    async usage(): Promise<{ peakRss: number; cpuUs: number }> {
      const reply = next();
      child.send({ type: "usage" });
      const m = await reply;
      if (m.type !== "usage") throw new Error("provider process: unexpected message");
      return m;
    },
    async close(): Promise<void> {
      const exited = once(child, "exit");
      child.send({ type: "close" });
      await exited;
    },
  };
}

function merge(runs: LoadResult[]): LoadResult {
  return {
    calls: runs.reduce((n, r) => n + r.calls, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
    peakRss: Math.max(...runs.map((r) => r.peakRss)),
  };
}

/**
 * Throughput and latency of both sides, measured in alternating rounds. With `providerCpu` (the provider's
 * cumulative CPU time, µs), the provider's CPU time per call over the throughput runs too.
 */
async function compare(
  bare: (i: number) => Promise<void>,
  coken: (i: number) => Promise<void>,
  providerCpu?: () => Promise<number>,
) {
  const runs = {
    bare: { t: [] as LoadResult[], l: [] as LoadResult[], cpuUs: 0 },
    coken: { t: [] as LoadResult[], l: [] as LoadResult[], cpuUs: 0 },
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [side, call] of [
      ["bare", bare],
      ["coken", coken],
    ] as const) {
      const t = await runLoad({ ...THROUGHPUT, call, ...(providerCpu ? { probe: providerCpu } : {}) });
      runs[side].cpuUs += t.probed ?? 0;
      runs[side].t.push(t);
      runs[side].l.push(await runLoad({ ...LATENCY, call }));
    }
  }
  const perCall = (side: "bare" | "coken") =>
    providerCpu ? runs[side].cpuUs / 1000 / runs[side].t.reduce((n, t) => n + t.calls, 0) : undefined;
  return {
    bare: summarize("bare", runs.bare, perCall("bare")),
    coken: summarize("coken", runs.coken, perCall("coken")),
  };
}

function summarize(
  label: string,
  runs: { t: LoadResult[]; l: LoadResult[] },
  providerCpuMs?: number,
): Measured {
  const throughput = merge(runs.t);
  const latency = merge(runs.l);
  const rps = throughput.calls / throughput.seconds;
  console.log(
    `  ${label.padEnd(28)} ${rps.toFixed(0).padStart(6)} calls/s (c=${THROUGHPUT.concurrency})  p50 ${quantile(latency.latencies, 0.5).toFixed(2)} ms  p99 ${quantile(latency.latencies, 0.99).toFixed(2)} ms (c=1)  peak rss ${(throughput.peakRss / MiB).toFixed(0)} MiB  errors ${throughput.errors + latency.errors}${providerCpuMs === undefined ? "" : `  provider cpu ${providerCpuMs.toFixed(3)} ms/call`}`,
  );
  return { throughput, latency, rps, ...(providerCpuMs === undefined ? {} : { providerCpuMs }) };
}

const steps = new Map<string, [string, number][]>();

async function runBackend(backend: BenchBackend, withOfficials: boolean): Promise<Comparison[]> {
  console.log(backend.name);
  const world = await benchWorld(Date.now(), backend.open);
  const paths = await buildPaths(world, backend.receiptCommit);
  // The officials' endpoint reads ledger state only: one backend is enough for it.
  const officials = withOfficials && selected(MODES, "officials") ? await officialsMode(world) : null;
  const apart = selected(MODES, TWO_PROCESSES) ? await providerProcess(world, backend) : null;
  const out: Comparison[] = [];
  try {
    for (const mode of [
      ...paths.modes,
      ...(apart ? [apart.mode] : []),
      ...(officials ? [officials.mode] : []),
    ]) {
      if (!selected(MODES, mode.name)) continue;
      console.log(` ${mode.name}`);
      const own = mode === apart?.mode ? apart : undefined;
      await own?.usage();
      // Each reading restarts the child's peak: keep the highest of all of them.
      let peak = 0;
      const usage = async (): Promise<number> => {
        const u = await (own as NonNullable<typeof own>).usage();
        peak = Math.max(peak, u.peakRss);
        return u.cpuUs;
      };
      const { bare, coken } = await compare(mode.bare, mode.coken, own ? usage : undefined);
      if (own) await usage();
      const providerRss = own ? peak : undefined;
      if (providerRss !== undefined)
        console.log(`  provider process peak RSS ${(providerRss / MiB).toFixed(0)} MiB`);
      out.push({
        backend: backend.name,
        mode: mode.name,
        bare,
        coken,
        receipts: 0,
        ...(providerRss ? { providerRss } : {}),
      });
    }
    steps.set(backend.name, await breakdown(world.providerStore, world.askerStore, backend.receiptCommit));
    const repo = world.providerStore.gateway;
    const queued = (await repo?.outstandingByGrant()) ?? [];
    for (const c of out) c.receipts = queued.reduce((n, g) => n + g.count, 0);
  } finally {
    await paths.close();
    await apart?.close();
    await officials?.close();
    await world.close();
    backend.cleanup();
  }
  return out;
}

const p = (m: Measured, q: number, of: "latency" | "throughput" = "latency") => quantile(m[of].latencies, q);
const verdict = (ok: boolean) => (ok ? "met" : "**not met**");
const signed = (ms: number) => `${ms < 0 ? "−" : "+"}${Math.abs(ms).toFixed(2)}`;

function report(results: Comparison[], load: number[]): string {
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
    const rss = r.providerRss ?? r.coken.throughput.peakRss;
    const whose = r.providerRss === undefined ? "whole process" : "provider process";
    return `| ${r.backend} | ${r.mode} | ${(ratio * 100).toFixed(0)}% (${verdict(ratio >= 0.8)}) | ${signed(p50)} ms (${verdict(p50 <= 3)}) | ${signed(p99)} ms | ${(rss / MiB).toFixed(0)} MiB, ${whose} (${verdict(rss <= 300 * MiB)}) |`;
  });
  const capacity = results.flatMap((r) => {
    const bare = r.bare.providerCpuMs;
    const coken = r.coken.providerCpuMs;
    if (bare === undefined || coken === undefined) return [];
    return [
      `| ${r.backend} | ${bare.toFixed(3)} | ${coken.toFixed(3)} | ${((100 * bare) / coken).toFixed(0)}% (${verdict(bare / coken >= 0.8)}) |`,
    ];
  });
  return `## Gateway: bare graphql-yoga vs the Coken path (${new Date().toISOString().slice(0, 10)})

Machine: ${machine()}. \`npm run bench\` → \`services/gateway/dist/bench/run.js\`.

Both serve the same schema (\`/peer/graphql\`) and the same ${ROWS} rows and answer a record lookup (a kind
without proof generation). The Coken path is the real provider endpoint and federation client: the asker signs
each request (Ed25519 over requester, grant, query hash, variables hash, nonce, time); the provider checks the
signature, the replay window and the nonce (persisted), freezes and the grant (kind, fields, expiry, quota) on
ledger state, answers, persists the access receipt in its queue and signs the response; the asker checks that
signature and the hashes, recomputes the receipt id, hands the answer over and logs the call in its own store in
the background. Rate limiting is off for the run. "local" calls the handlers in process; "remote" goes over one loopback HTTP hop (bare: yoga's own Node
server; Coken: the gateway's HTTP server with the provider endpoint mounted). Bare and Coken alternate in
${ROUNDS} rounds; each round measures throughput with ${THROUGHPUT.concurrency} closed-loop callers for
${THROUGHPUT.durationMs / 1000} s (after ${THROUGHPUT.warmupMs / 1000} s warm-up, not counted) and latency with one
caller for ${LATENCY.durationMs / 1000} s (after ${LATENCY.warmupMs / 1000} s). Load average when the run started:
${load.map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min) on ${os.cpus().length} cores: other processes
share this machine, which is why the sides alternate. In the "local" and "remote" modes the load generator, the servers
and both stores share one Node process on this 2-core machine, so absolute rates are lower than on a dedicated host,
and RSS is that of the whole process (gateway, provider, asker, both stores, load generator; an in-memory PGlite
alone takes hundreds of MiB), an upper bound for the gateway's own memory. In the "${TWO_PROCESSES}" mode the
provider agency runs as a peer does, in a Node process of its own with its own store (PGlite on disk, created by
an earlier run of that process and reopened, as at every peer start after the first, or a PostgreSQL database of
its own) serving both the bare yoga and the gateway; the asker and the load generator stay
in the bench process, one loopback HTTP hop away, still on the same two cores. Its memory row is that provider
process's peak RSS while it was under load: the peer memory the target is about. The federation client batches calls queued in
the same tick into one HTTP request, as in production, so at c=${THROUGHPUT.concurrency} the remote Coken path sends
fewer HTTP requests than bare yoga's callers; the c=1 latencies show the cost per call. Repeated runs on this
shared machine differ by tens of percent in absolute rates; the sides alternate so that the ratios are fairer.

| stores | mode | server | calls/s | p50 ms (c=1) | p99 ms (c=1) | p50 ms (c=${THROUGHPUT.concurrency}) | peak RSS MiB | errors |
|---|---|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

| stores | mode | throughput vs bare (≥ 80%) | p50 overhead (≤ 3 ms) | p99 overhead | peak RSS under load (≤ 300 MiB) |
|---|---|---|---|---|---|
${targets.join("\n")}

Capacity of the provider's own process in the "${TWO_PROCESSES}" mode: its CPU time (user + system, from the
process itself) per call answered during the throughput runs (c=${THROUGHPUT.concurrency}), bare yoga and Coken path in the same
process. On a host of its own a provider answers at most (cores ÷ CPU per call) calls per second, so the ratio
is its throughput as a share of bare yoga's, free of the load generator and the asker that share this
machine's two cores. As in every c=${THROUGHPUT.concurrency} row, the Coken client batches the calls of one tick into one HTTP
request (one signature each way) while bare yoga's callers send one request each. With PGlite the database's work is in that process; with PostgreSQL the server's own
processes (the row read for both, the receipt write for Coken) are not counted.

| stores | bare yoga, provider CPU ms per call | Coken path, provider CPU ms per call | capacity vs bare (≥ 80%) |
|---|---:|---:|---|
${capacity.join("\n")}

The "officials' /graphql" rows compare a bare yoga serving the officials' schema (same resolvers, same ledger
state) with the gateway's HTTP server (CSRF prevention, nesting and graphql-armor limits, error masking,
per-request metrics, a trace span, the rate limiter): the cost of the hardening and observability layer alone,
with no provider call.

Where the Coken path's time goes: median cost of each step it adds, measured alone (c=1), in ms.

| step | ${[...steps.keys()].join(" | ")} |
|---|${[...steps.keys()].map(() => "---:").join("|")}|
${(steps.values().next().value ?? []).map(([name], i) => `| ${name} | ${[...steps.values()].map((s) => (s[i]?.[1] ?? Number.NaN).toFixed(3)).join(" | ")} |`).join("\n")}

What this means. On the answer path the Coken path adds Ed25519 signatures and verifications (their rows above):
one signature and one verification each way per HTTP request, since the operations of a batched request are
signed together, and so are their results (docs/spec/gateway.md §3–4), so at c=1 a call pays two of each and at
c=${THROUGHPUT.concurrency} the calls batched into one request share them; then canonical JSON, CBOR and SHA-256 for the envelopes and the
receipt, the provider's checks on ledger state, and one durable write: the provider stores the access receipt
with the request's nonce before the answer leaves, so neither an unreceipted answer nor a replay survives a crash.
That write is one statement (a data-modifying CTE inserting the nonces and the receipts, all of a group at once);
it is group-committed with one write in flight, and a call that finds no write in flight is written at the end of
its tick rather than after a timer, so at c=1 the answer waits for exactly one commit and at c=${THROUGHPUT.concurrency} concurrent
calls share commits. On PostgreSQL that commit waits for the WAL flush on this machine's shared disk (the
provider write row). The "receipts committed async" rows run the same path with \`gateway.receiptCommit: "async"\`:
the write commits without waiting for the flush, still in one statement (it reads a
\`set_config('synchronous_commit', 'off', true)\`, which lasts for that statement's own transaction). The flush
is at most the difference of the two provider write rows; the rest of the overhead is CPU on the answer path
(the steps above, GraphQL execution on both sides and the store driver) on two cores shared with the load
generator. At c=1 a batch shares nothing: each call pays both signatures and both verifications, two GraphQL
executions and three statements (row read, receipt, call log), a cost spread over these steps rather than in
any one of them. The setting pays off on disks whose flush is slow.
The asker's call log is off the answer path: it is needed only when the provider asks for a co-signature,
seconds later, so it is written after the answer is handed over, grouped over 20 ms, and co-signing waits for the
writes queued before it; a call lost in a crash before its write is refused at co-signing (the safe direction;
docs/spec/gateway.md §6), so those writes do not wait for the WAL flush either. The answer path of a call issues two statements (row read, receipt) and waits for
one commit; the lookups of one batched request are read in one statement (the bare resolver reads one row per
call, as its callers send one request each), and their receipts go out in one group write. Both are prepared
statements: each PostgreSQL connection parses and plans them once.

The "local (in process)" rows on PostgreSQL are the one place the Coken path stays well under bare yoga's
throughput, and the reason is the setup rather than a cost per call a provider pays: bare yoga there does no HTTP
and no work for an asker, and its ${THROUGHPUT.concurrency} callers each read a row on their own, so the Node thread and the
PostgreSQL server keep both cores busy at once. The Coken path runs both agencies' work in that one Node thread
(the asker's signing, checking and call log; the provider's checks, receipt and signature), and the ${THROUGHPUT.concurrency} callers'
calls travel as one signed batch that waits for its row read and then for its receipt write with nothing else to
run: a CPU profile of this mode shows the Node thread idle for about a third of the time. Smaller batches (4, 2)
measured slower: the batches of one tick stay in step. With PGlite the database runs in the same thread, so there
is no such wait and the Coken path's batching wins. What a provider peer carries is given by the two-process rows
and the capacity table above.

Memory. The "${TWO_PROCESSES}" rows give a provider peer's own process: the gateway, the provider endpoint, its
ledger state and the store's driver, or with PGlite the embedded WebAssembly Postgres itself. PGlite runs with a
16 MiB buffer pool (\`services/store/src/open.ts\`): initdb leaves Postgres's 128 MiB default, and PGlite's
WebAssembly memory holds the whole pool from the start and never shrinks, which cost ≈ 110 MiB of RSS; the OS
page cache holds the rest of a small store anyway. What remains for PGlite is its 128 MiB minimum WebAssembly
memory (partly touched) and V8's compiled code for it. The provider process runs with the heap settings
\`npm run peer\` starts a peer with (\`${PEER_HEAP_FLAGS.join(" ")}\`): under load V8 otherwise lets garbage pile up in
the old generation before a full collection (peaks of 380–400 MiB measured with Node's defaults, at a live JS heap of
≈ 25–35 MiB after a full collection) and sizes its growth by the cap; with the cap alone the same runs peaked at
≈ 270–305 MiB, with the smaller young generation too at ≈ 265–270 MiB, for no measurable CPU per call. Peaks still move by tens of MiB from run
to run. Creating a PGlite store for the first time (initdb) costs ≈ 390 MiB more, once, in the process that
creates it. The whole-process rows hold two stores and the load generator besides. Throughput in the two-process rows is below the one-process "remote" rows: three processes
(the asker with its load generator, the provider, the database) now take turns on the two cores, which the ratio
charges to the side with more work per call; on separate hosts the provider's share is what limits it. Of all the ratios it moves the
most between runs of the same code: 68–96% for the two PostgreSQL backends over five full runs. Its c=1 latency
is the one most sensitive to the host: a call there waits on six process wake-ups (asker → provider → database →
provider → database → provider → asker) where bare yoga's waits on four, and the PostgreSQL rows' p50 overhead
measured +1.6 ms on one host and +2.6 to +3.7 ms on a later one, whose flushed receipt write alone took
0.68–0.88 ms against 0.37 ms.

Further options: on PGlite, run the store in a worker thread so its CPU does not compete
with request handling. PGlite runs Postgres with fsync off (its own default): its commits reach the OS, not
the disk, so a PGlite peer's receipts survive a crash of the peer process but not of the host; an agency that
needs more runs its peer on PostgreSQL.

Receipts queued by the provider during a backend's runs: ${[...new Set(results.map((r) => `${r.backend} ${r.receipts}`))].join(", ")}.`;
}

async function main(): Promise<void> {
  console.log(`gateway bench on ${machine()}`);
  const load = os.loadavg();
  const backends = [
    selected(BACKENDS, "postgres") ? postgresBackend() : null,
    selected(BACKENDS, "postgres-async") ? postgresBackend("async") : null,
    selected(BACKENDS, "pglite") ? pgliteBackend() : null,
  ].filter((b): b is BenchBackend => b !== null);
  const results: Comparison[] = [];
  for (const [i, backend] of backends.entries()) results.push(...(await runBackend(backend, i === 0)));
  if (BACKENDS === undefined && MODES === undefined) writeSection("gateway", report(results, load));
  else
    for (const r of results)
      console.log(
        `${r.backend} / ${r.mode}: throughput ${((100 * r.coken.rps) / r.bare.rps).toFixed(0)}% of bare, p50 overhead ${signed(p(r.coken, 0.5) - p(r.bare, 0.5))} ms (load ${load.map((l) => l.toFixed(1)).join(" / ")})`,
      );
}

await main();
