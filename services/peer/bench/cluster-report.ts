/** The "consensus" section of docs/BENCHMARKS.md from the cluster benchmark's results, store kinds side by side. */
import { machine } from "@coken/ledger/bench-report";
import { STORE_LABEL, type StoreKind } from "./bench-stores.js";
import { fmt, HAS_TASKSET, mib, pct, percentile, secs } from "./bench-util.js";
import type { BlockSeen, MemoryPeak, Status } from "./cluster-nodes.js";
import type { CpuLimits, StoreLimits } from "./limits.js";
import type { LoadResult, MemorySample } from "./loads.js";
import type { ProfileSummary } from "./profile.js";
import {
  COMMIT_MS,
  CURVE,
  GIVEN_LIMIT,
  HEAP_SNAPSHOTS,
  LIMIT_BLOCKS,
  LIMIT_WARM_BLOCKS,
  LOAD_SECONDS,
  MAX_BLOCK_BYTES,
  measuredFrom,
  PROFILE_SECONDS,
  PROFILED,
  PROVIDER,
  RAMP_MS,
  RECEIPT_WINDOW_MS,
  RECEIPTS_PER_TX,
  SAMPLE_SECONDS,
  SOAK_SECONDS,
} from "./settings.js";

/** Memory budget of a peer (resident set), the figure each validator's peak is held against. */
const RSS_BUDGET = 300 * 2 ** 20;

export interface CurvePoint {
  factor: number;
  /** Receipts/s offered (factor × the 4-replica limit). */
  offered: number;
  committed: number;
  load: LoadResult;
}

export interface KindResult {
  kind: StoreKind;
  limits: StoreLimits;
  curve: CurvePoint[];
  sat: {
    load: LoadResult;
    committed: number;
    blocks: BlockSeen[];
    rounds: { round: number; time: number }[];
  };
  easy: { rate: number; load: LoadResult; committed: number };
  agencies: string[];
  rssStart: number[];
  end: (Status | null)[];
  peaks: MemoryPeak[];
  refusals: number;
  buildMs: number;
  prof: { summary: ProfileSummary; committed: number } | null;
  soak: { rate: number; result: LoadResult; samples: MemorySample[] } | null;
}

export interface RunInfo {
  seconds: number;
  loadAtStart: number;
  txBytes: number;
  perBlock: number;
  window: number;
  cpu: CpuLimits | null;
}

const latency = (r: LoadResult) =>
  `p50 ${secs(percentile(r.latencies, 0.5))}, p99 ${secs(percentile(r.latencies, 0.99))}`;
const yes = (ok: boolean) => (ok ? "**met**" : "**not met**");
const ratio = (x: number, limit: number) => `${(x / limit).toFixed(2)} ×`;

/** The curve's peak, and whether every point after it keeps `keep` of it (a curve that does not fall). */
export function curveHolds(
  committed: number[],
  keep = 0.9,
): { peak: number; holds: boolean; worstAfter: number } {
  let at = 0;
  for (const [i, c] of committed.entries()) if (c > (committed[at] ?? 0)) at = i;
  const peak = committed[at] ?? 0;
  const after = committed.slice(at + 1);
  const worstAfter = after.length === 0 ? peak : Math.min(...after);
  return { peak, holds: worstAfter >= keep * peak, worstAfter };
}

/** The highest point of the curve past 1 × the limit: the open-loop saturation row. */
function saturationPoint(k: KindResult): CurvePoint | undefined {
  return k.curve.filter((p) => p.factor >= 1).at(-1) ?? k.curve.at(-1);
}

function mainTable(info: RunInfo, kinds: KindResult[]): string {
  const head = `| what | ${kinds.map((k) => STORE_LABEL[k.kind]).join(" | ")} |\n|---|${kinds.map(() => "---").join("|")}|`;
  const row = (what: string, cell: (k: KindResult) => string) =>
    `| ${what} | ${kinds.map(cell).join(" | ")} |`;
  const rows: string[] = [];
  if (info.cpu !== null) {
    const cpu = info.cpu;
    rows.push(
      row(
        "machine limit, one process: check each signature once, apply (`Ledger`), store each block (`StoredLedger`)",
        (k) => `${fmt(k.limits.one)} receipts/s`,
      ),
      row(
        "**machine limit for the work of 4 validators**: 4 such processes at once, each applying and storing every block (the limit the ratios use)",
        (k) =>
          `**${fmt(k.limits.four)} receipts/s** each (${(k.limits.four / k.limits.one).toFixed(2)} × one process)`,
      ),
      row(
        "one validator alone on one core: check signatures + apply, no store",
        () => `${fmt(cpu.apply)} receipts/s`,
      ),
      row(
        "one validator alone on one core, the peer's code path (checkTx in the mempool, execute the proposal, apply it, re-check the mempool), no store",
        () => `${fmt(cpu.validator)} receipts/s`,
      ),
    );
  } else {
    rows.push(
      row(
        "4-replica limit (given, not measured: COKEN_BENCH_LIMIT)",
        (k) => `${fmt(k.limits.four)} receipts/s`,
      ),
    );
  }
  const half = (k: KindResult) => k.curve.find((p) => p.factor === 0.5);
  rows.push(
    row("(a) cluster offered half the 4-replica limit: committed", (k) => {
      const p = half(k);
      return p === undefined
        ? "—"
        : `${fmt(p.committed)} receipts/s of ${fmt(p.offered)} (${ratio(p.committed, k.limits.four)} limit)`;
    }),
    row("(a) commit latency, submit → committed at the provider", (k) => {
      const p = half(k);
      return p === undefined ? "—" : `${latency(p.load)} (${p.load.latencies.length} txs)`;
    }),
    row("(s) cluster offered past its limit (open loop, the curve's last point): committed", (k) => {
      const p = saturationPoint(k);
      return p === undefined
        ? "—"
        : `**${fmt(p.committed)} receipts/s** at ${p.factor} × (**${ratio(p.committed, k.limits.four)} limit**); ${fmt(p.load.refusals)} capacity refusals retried`;
    }),
    row(`(b) cluster at saturation (${info.window} txs in flight): committed`, (k) => {
      const span = (k.sat.load.to - measuredFrom(k.sat.load)) / 1000;
      return `**${fmt(k.sat.committed)} receipts/s** over ${span.toFixed(0)} s (**${ratio(k.sat.committed, k.limits.four)} limit**)${k.sat.load.exhausted ? "; the prepared txs ran out early" : ""}`;
    }),
    row(
      "(b) commit latency at saturation",
      (k) => `${latency(k.sat.load)} (${k.sat.load.latencies.length} txs)`,
    ),
    row("(b) blocks at saturation", (k) => {
      const span = (k.sat.load.to - measuredFrom(k.sat.load)) / 1000;
      const txs = k.sat.blocks.reduce((n, b) => n + b.txs, 0) / Math.max(1, k.sat.blocks.length);
      return `${(k.sat.blocks.length / span).toFixed(2)} blocks/s, ${txs.toFixed(2)} txs/block (bound ${info.perBlock})`;
    }),
    row("(b) heights decided after round 0; interval between block times", (k) => {
      const later = k.sat.rounds.slice(1).filter((r) => r.round > 0).length;
      const iv = k.sat.rounds.slice(1).map((r, i) => r.time - (k.sat.rounds[i] as { time: number }).time);
      return `${later} of ${iv.length}; p50 ${secs(percentile(iv, 0.5))}, p99 ${secs(percentile(iv, 0.99))}`;
    }),
    row(
      "(c) cluster offered half of the best it committed at any load",
      (k) =>
        `${fmt(k.easy.committed)} of ${fmt(k.easy.rate)} receipts/s; ${latency(k.easy.load)} (${k.easy.load.latencies.length} txs)`,
    ),
  );
  if (kinds.some((k) => k.prof !== null))
    rows.push(
      row(`saturation with ${PROFILED} under --cpu-prof (extra run, ${PROFILE_SECONDS} s)`, (k) =>
        k.prof === null
          ? "—"
          : `${fmt(k.prof.committed)} receipts/s (${ratio(k.prof.committed, k.limits.four)} limit)`,
      ),
    );
  for (const [i, agency] of (kinds[0]?.agencies ?? []).entries())
    rows.push(
      row(
        `${agency}${agency === PROVIDER ? " (provider: the client's API and the bench's block polling)" : ""}: peak RSS; at the highest sampled RSS: JS heap used / reserved, external (of it the store's WASM memory); RSS after setup → after the loads; signatures verified / from the cache`,
        (k) => memoryCell(k, i),
      ),
    );
  return [head, ...rows].join("\n");
}

function memoryCell(k: KindResult, i: number): string {
  const p = k.peaks[i];
  const s = p?.sampled ?? null;
  const peak = p?.hwmBytes ?? s?.rssBytes ?? Number.NaN;
  const at =
    s === null
      ? "—"
      : `${mib(s.heapUsedBytes)} / ${mib(s.heapTotalBytes ?? Number.NaN)}, ${mib(s.externalBytes ?? Number.NaN)} (${mib(s.storeWasmBytes ?? 0)})`;
  const end = k.end[i];
  // Writing a heap snapshot takes memory of its own: that validator's peak says nothing about the peer then.
  const snapshot = HEAP_SNAPSHOTS !== "" && k.agencies[i] === PROFILED ? " (wrote a heap snapshot)" : "";
  return `**${mib(peak)}**${snapshot}; ${at}; ${mib(k.rssStart[i] as number)} → ${mib(end?.rssBytes ?? Number.NaN)}; ${fmt(end?.signatureChecks ?? Number.NaN)} / ${fmt(end?.signatureCacheHits ?? Number.NaN)}`;
}

function curveTable(kinds: KindResult[]): string {
  const head = `| offered | ${kinds.map((k) => `${STORE_LABEL[k.kind]}: committed (× limit); latency; refusals`).join(" | ")} |\n|---|${kinds.map(() => "---").join("|")}|`;
  const rows = CURVE.map((factor) => {
    const cells = kinds.map((k) => {
      const p = k.curve.find((x) => x.factor === factor);
      if (p === undefined) return "—";
      return `${fmt(p.committed)} of ${fmt(p.offered)} receipts/s (${ratio(p.committed, k.limits.four)}); ${latency(p.load)}; ${fmt(p.load.refusals)}`;
    });
    return `| ${factor} × the 4-replica limit | ${cells.join(" | ")} |`;
  });
  return [head, ...rows].join("\n");
}

function targets(kinds: KindResult[]): string {
  const lines: string[] = [];
  for (const k of kinds) {
    const label = STORE_LABEL[k.kind];
    const committed = k.curve.map((p) => p.committed);
    const c = curveHolds(committed);
    const best = Math.max(k.sat.committed, ...committed);
    const s = saturationPoint(k);
    const satWorst = Math.min(k.sat.committed, s?.committed ?? k.sat.committed);
    const half = k.curve.find((p) => p.factor === 0.5);
    const halfP99 = half === undefined ? Number.NaN : percentile(half.load.latencies, 0.99);
    const peak = Math.max(
      ...k.peaks
        .filter((_, i) => HEAP_SNAPSHOTS === "" || k.agencies[i] !== PROFILED)
        .map((p) => p.hwmBytes ?? p.sampled?.rssBytes ?? Number.NaN),
    );
    lines.push(
      `- ${label}: the curve does not fall after its peak (every later point ≥ 90% of it): ${yes(c.holds)}, peak ${fmt(c.peak)}, lowest after it ${fmt(c.worstAfter)} receipts/s.`,
      `- ${label}: committed at saturation ≥ 90% of the best at any offered load: ${yes(satWorst >= 0.9 * best)}, ${fmt(satWorst)} of ${fmt(best)} receipts/s (${pct(satWorst / best)}; the lower of (s) and (b)).`,
      `- ${label}: committed at saturation ≥ 0.60 × the 4-replica limit: ${yes(satWorst >= 0.6 * k.limits.four)}, ${(satWorst / k.limits.four).toFixed(2)} ×.`,
      `- ${label}: p99 finality ≤ 2 s at half the limit: ${yes(halfP99 <= 2000)}, ${secs(halfP99)}; at half of the best (c) ${secs(percentile(k.easy.load.latencies, 0.99))} (${yes(percentile(k.easy.load.latencies, 0.99) <= 2000)}).`,
      `- ${label}: every validator within ${mib(RSS_BUDGET)} RSS: ${yes(peak <= RSS_BUDGET)}, highest peak ${mib(peak)}.`,
      `- ${label}: ≥ 10,000 receipts/s with batch-amortised signatures: ${yes(best >= 10_000)}, best ${fmt(best)} receipts/s.`,
    );
  }
  return lines.join("\n");
}

function whereTimeGoes(k: KindResult): string {
  if (k.prof === null) return "";
  const sum = k.prof.summary;
  const stageOf = (prefix: string) =>
    sum.stages.filter((s) => s.name.startsWith(prefix)).reduce((n, s) => n + s.share, 0);
  const ledgerWork =
    stageOf("checkTx") + stageOf("mempool re-check") + stageOf("proposal") + stageOf("commit: apply");
  const busy = sum.busyMs / sum.windowMs;
  const top = sum.functions
    .slice(0, 4)
    .map((f) => `\`${f.name}\` ${pct(f.share)}`)
    .join(", ");
  const serialisation =
    k.kind === "pglite"
      ? `, of which ${(100 * stageOf("store: PGlite parameter")).toFixed(1)} points are PGlite turning bytea parameters into hex text`
      : "";
  const text = `CPU profile of ${PROFILED} (a validator that is not the provider, so no client HTTP and no block polling) over ${(sum.windowMs / 1000).toFixed(0)} s of saturation in the extra run: its main thread was busy ${pct(busy)} of the wall time (four validators${k.kind === "postgres" ? ", the PostgreSQL server" : ""} and the client share ${HAS_TASKSET ? "two" : "the"} cores). Of that busy time the store takes ${pct(stageOf("store"))}${serialisation}; garbage collection takes ${pct(stageOf("garbage collection"))}. ${pct(ledgerWork)} is the ledger executing txs: checkTx on arrival ${pct(stageOf("checkTx"))}, re-checking the txs still pending after every commit ${pct(stageOf("mempool re-check"))}, decoding and executing the proposal before the prevote ${pct(stageOf("proposal"))}, applying it at commit ${pct(stageOf("commit: apply"))}. libp2p takes ${pct(stageOf("p2p"))}. Top self time: ${top}.`;
  const stageRows = sum.stages.filter((s) => s.share >= 0.005).map((s) => `| ${s.name} | ${pct(s.share)} |`);
  const fnRows = sum.functions.slice(0, 12).map((f) => `| \`${f.name}\` | ${pct(f.share)} |`);
  const pkgRows = sum.packages.slice(0, 8).map((p) => `| ${p.name} | ${pct(p.share)} |`);
  return `#### ${STORE_LABEL[k.kind]}

${text}

| stage (from each sample's stack) | share of busy time |
|---|---|
${stageRows.join("\n")}

| function (self time) | share |
|---|---|
${fnRows.join("\n")}

| package (self time; WASM counted with its JS caller) | share |
|---|---|
${pkgRows.join("\n")}`;
}

function soakSection(k: KindResult): string {
  if (k.soak === null) return "";
  const { samples, result, rate } = k.soak;
  const sr = samples.map(
    (s) =>
      `| ${s.t.toFixed(0)} | ${fmt(s.committedReceipts)} | ${s.rss.map((r, i) => `${mib(r)} (${mib(s.heap[i] as number)})`).join(" | ")} |`,
  );
  const afterWarm = samples.filter((s) => s.t >= Math.min(120, SOAK_SECONDS / 2));
  // Least-squares slope of RSS over the samples after the warm-up (single samples swing with GC).
  const slope = k.agencies.map((_, i) => {
    if (afterWarm.length < 2) return "—";
    const xs = afterWarm.map((x) => x.t / 60);
    const ys = afterWarm.map((x) => (x.rss[i] as number) / 2 ** 20);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxy = xs.reduce((a, x, j) => a + (x - mx) * ((ys[j] as number) - my), 0);
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    return `${(sxy / sxx).toFixed(1)} MiB/min (${Math.min(...ys).toFixed(0)}–${Math.max(...ys).toFixed(0)} MiB)`;
  });
  return `

### Soak (${STORE_LABEL[k.kind]}): ${fmt(rate)} receipts/s for ${(SOAK_SECONDS / 60).toFixed(1)} minutes

Txs built just before they are sent; duplicate window (genesis receiptMaxAgeMs) ${fmt(RECEIPT_WINDOW_MS / 1000)} s.
Commit latency ${latency(result)} (${result.latencies.length} txs). RSS (heap used) of each validator every
${SAMPLE_SECONDS} s; least-squares RSS slope (and range) from ${afterWarm[0]?.t.toFixed(0) ?? "?"} s on: ${k.agencies.map((a, i) => `${a} ${slope[i]}`).join(", ")}.

| s | receipts committed | ${k.agencies.join(" | ")} |
|---|---|${k.agencies.map(() => "---").join("|")}|
${sr.join("\n")}`;
}

/** The whole section, headed as docs/BENCHMARKS.md has it. */
export function report(info: RunInfo, kinds: KindResult[]): string {
  const buildSeconds = kinds.reduce((n, k) => n + k.buildMs, 0) / 1000;
  const refusals = kinds.map((k) => `${STORE_LABEL[k.kind]} ${fmt(k.refusals)}`).join(", ");
  const where = kinds.map(whereTimeGoes).filter((t) => t !== "");
  return `## Consensus: 4 validators on one machine

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Whole run: ${info.seconds.toFixed(0)} s (\`npm exec -- node services/peer/dist/bench/cluster.js\`);
1-minute load average just before it ${info.loadAtStart.toFixed(1)} (anything else running on the two cores skews every row).

Four \`coken peer start\` processes (libp2p on loopback), run as \`npm run peer\` runs a peer (\`--max-old-space-size=192
--max-semi-space-size=8\`, \`MALLOC_ARENA_MAX=2\`), timeout_commit ${COMMIT_MS} ms, once on PGlite stores on disk and once
on one PostgreSQL database each (a local server on the same cores), each store kind with its own machine limit. Each
access.record tx carries one batch of ${fmt(RECEIPTS_PER_TX)} receipts co-signed by provider and requester (${fmt(info.txBytes)} bytes).
Blocks are bounded at ${fmt(MAX_BLOCK_BYTES)} bytes (COKEN_BENCH_MAX_BLOCK_BYTES), so a block holds at most ${info.perBlock} such txs
(${fmt(info.perBlock * RECEIPTS_PER_TX)} receipts); a proposer may propose fewer when its measured execution time says a full block would
not execute within a quarter of the propose timeout (consensus.blockExecutionPercent). The client (this process) submits every tx to the
provider's \`POST /v1/txs\` with consecutive sequence numbers; a tx the mempool refuses for capacity (503 FULL, 429
SENDER_LIMIT) is submitted again after the Retry-After the peer answers (refusals retried: ${refusals}). Txs are built before each load
(${buildSeconds.toFixed(1)} s in all, outside the loads). A tx's commit time is when the provider's \`/v1/status\` first shows its
block (polled every 20 ms); throughput counts the receipts of the blocks seen during a load after its first ${RAMP_MS / 1000} s, from the first such block to the last.
The loads, each ${LOAD_SECONDS} s on one running cluster per store kind: a curve of paced (open-loop) loads at ${CURVE.join(", ")} × the
4-replica limit, (b) a saturating window of ${info.window} txs in flight, (c) half of the best the cluster committed at any of them.
Every validator's \`/v1/status\` memory is sampled every second; its peak RSS is the kernel's high-water mark (VmHWM).
${
  GIVEN_LIMIT > 0
    ? `The limit was given (COKEN_BENCH_LIMIT=${GIVEN_LIMIT}), not measured.`
    : `The machine limit applies the same txs in the same blocks without consensus or network, timing ${LIMIT_BLOCKS} blocks after
${LIMIT_WARM_BLOCKS} warm-up blocks. Each of the 4 validators must do that work on the same cores, so the 4-replica row is
the limit the ratios use. "Alone on one core" runs are pinned with taskset${HAS_TASKSET ? "" : " (not available here: unpinned)"}.`
}

${mainTable(info, kinds)}

The load curve (committed throughput must not fall after its peak):

${curveTable(kinds)}

Targets:
${targets(kinds)}

### Where the time goes

${where.length === 0 ? "No profile run (COKEN_BENCH_PROFILE_SECONDS=0)." : where.join("\n\n")}${kinds.map(soakSection).join("")}

Soak by hand: \`COKEN_BENCH_SOAK_SECONDS=600 npm exec -- node services/peer/dist/bench/cluster.js\` adds a paced load at
80% of what (c) committed, sampling every validator's memory every ${SAMPLE_SECONDS} s (the duplicate window is then 120 s,
so it fills early). Other knobs: COKEN_BENCH_STORES, COKEN_BENCH_PG_URL, COKEN_BENCH_SECONDS, COKEN_BENCH_CURVE,
COKEN_BENCH_PROFILE_SECONDS, COKEN_BENCH_RECEIPTS_PER_TX, COKEN_BENCH_COMMIT_MS, COKEN_BENCH_LIMIT_BLOCKS, COKEN_BENCH_WINDOW_TXS.`;
}
