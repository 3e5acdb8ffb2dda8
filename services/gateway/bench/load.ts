import { performance } from "node:perf_hooks";

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  /** Latencies of successful calls in ms, sorted. */
  latencies: number[];
  /** Highest RSS seen while measuring, bytes. */
  peakRss: number;
  /** End minus start of the `probe` while measuring, when one was given. */
  probed?: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Closed-loop load: `concurrency` workers each issue `call(i)` back to back. The first `warmupMs` are run and
 * discarded (JIT, connection pools, caches), then `durationMs` are measured.
 */
export async function runLoad(opts: {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  call: (i: number) => Promise<void>;
  /** Read when measuring starts and ends (e.g. another process's CPU time); the difference is `probed`. */
  probe?: () => Promise<number>;
}): Promise<LoadResult> {
  let n = 0;
  let measuring = false;
  let stop = false;
  let calls = 0;
  let errors = 0;
  let firstError: unknown = null;
  const latencies: number[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (measuring) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const worker = async () => {
    while (!stop) {
      // In-process calls can complete on microtasks alone; yield so timers (and the sampler) still run.
      await new Promise((r) => setImmediate(r));
      const started = performance.now();
      try {
        await opts.call(n++);
        if (measuring) {
          calls++;
          latencies.push(performance.now() - started);
        }
      } catch (e) {
        if (measuring) errors++;
        firstError ??= e;
      }
    }
  };
  const workers = Array.from({ length: opts.concurrency }, worker);
  await new Promise((r) => setTimeout(r, opts.warmupMs));
  measuring = true;
  const probeStart = opts.probe?.();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, opts.durationMs));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const probeEnd = opts.probe?.();
  const probed = probeStart && probeEnd ? (await probeEnd) - (await probeStart) : undefined;
  stop = true;
  await Promise.all(workers);
  clearInterval(sampler);
  if (errors > 0) console.log(`  ${errors} errors, first: ${String(firstError)}`);
  return {
    calls,
    errors,
    seconds,
    latencies: latencies.sort((a, b) => a - b),
    peakRss,
    ...(probed === undefined ? {} : { probed }),
  };
}
