import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Samples the process RSS (all threads) until stopped; returns the peak in MiB. */
export function rssSampler(everyMs = 50): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
    },
  };
}

export const ms = (x: number): string =>
  x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`;

/** A full garbage collection, without `--expose-gc` on the command line (the flag can be set at run time). */
export function forceGc(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** This thread's memory in MiB: process RSS, and this isolate's JS heap, external memory and array buffers. */
export function memory(): { rss: number; heap: number; external: number; arrayBuffers: number } {
  const m = process.memoryUsage();
  const mib = (x: number) => x / 2 ** 20;
  return {
    rss: mib(m.rss),
    heap: mib(m.heapUsed),
    external: mib(m.external),
    arrayBuffers: mib(m.arrayBuffers),
  };
}
