/** The cluster benchmark's knobs (environment, all optional) and fixed parameters; see cluster.ts for the list. */
import { num } from "./bench-util.js";

export const VALIDATORS = ["sh.land-registry", "bj.housing", "gz.tax", "sz.courts"] as const;
export const PROVIDER = "sh.land-registry";
export const REQUESTER = "bj.housing";
export const PROFILED = "gz.tax";
export const PASSPHRASE = "bench-cluster-passphrase";
export const CHAIN = "coken-bench-cluster";

export const LOAD_SECONDS = num("COKEN_BENCH_SECONDS", 30);
export const PROFILE_SECONDS = num("COKEN_BENCH_PROFILE_SECONDS", 20);
export const SOAK_SECONDS = num("COKEN_BENCH_SOAK_SECONDS", 0);
export const SAMPLE_SECONDS = Math.max(1, num("COKEN_BENCH_SAMPLE_SECONDS", 10));
export const RECEIPT_WINDOW_MS = num("COKEN_BENCH_RECEIPT_WINDOW_MS", SOAK_SECONDS > 0 ? 120_000 : 3_600_000);
export const RECEIPTS_PER_TX = Math.max(1, Math.round(num("COKEN_BENCH_RECEIPTS_PER_TX", 1000)));
export const COMMIT_MS = Math.max(1, Math.round(num("COKEN_BENCH_COMMIT_MS", 100)));
export const LIMIT_BLOCKS = Math.max(1, Math.round(num("COKEN_BENCH_LIMIT_BLOCKS", 15)));
export const LIMIT_WARM_BLOCKS = 2;
/** 3 MiB blocks (10 txs of 1,000 receipts) amortise each height's votes, WAL and commit over many receipts. */
export const MAX_BLOCK_BYTES = Math.round(num("COKEN_BENCH_MAX_BLOCK_BYTES", (3 << 20) - (64 << 10)));
/** Offered loads of the curve, as multiples of the 4-replica limit (COKEN_BENCH_CURVE, comma-separated). */
export const CURVE: number[] = (process.env.COKEN_BENCH_CURVE ?? "0.25,0.5,0.75,1,1.5")
  .split(",")
  .map((x) => {
    const f = Number(x);
    if (!Number.isFinite(f) || f <= 0) throw new Error(`COKEN_BENCH_CURVE: ${x} is not a positive number`);
    return f;
  });
/**
 * A 4-replica limit (receipts/s) to use instead of measuring it: the limit phases are skipped (for short runs that
 * check the benchmark itself; every ratio then refers to this figure).
 */
export const GIVEN_LIMIT = num("COKEN_BENCH_LIMIT", 0);
export const RAMP_MS = 3000;
export const POLL_MS = 20;
/** How often every validator's memory is sampled while the cluster runs. */
export const MEMORY_POLL_MS = 1000;
export const KEEP = process.env.COKEN_BENCH_KEEP === "1";
export const WRITE = process.env.COKEN_BENCH_WRITE !== "0";
/**
 * How the validators' node runs: the heap settings and malloc arenas `npm run peer` starts a peer with
 * (package.json), so memory is measured as operators run peers.
 */
/** A folder for heap snapshots of the profiled validator, taken after the saturating load (none when unset). */
export const HEAP_SNAPSHOTS = process.env.COKEN_BENCH_HEAP_SNAPSHOTS ?? "";
export const PEER_NODE_ARGS = [
  "--max-old-space-size=192",
  "--max-semi-space-size=8",
  ...(HEAP_SNAPSHOTS === "" ? [] : ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${HEAP_SNAPSHOTS}`]),
  ...(process.env.COKEN_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""),
];
export const PEER_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };

/** Where a load's measured window starts: after the ramp (or a quarter of a very short load). */
export const measuredFrom = (r: { from: number; to: number }) =>
  r.from + Math.min(RAMP_MS, (r.to - r.from) / 4);
