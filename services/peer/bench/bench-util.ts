/** Small helpers shared by the cluster benchmark's modules: environment knobs, logging and number formats. */
import { type ChildProcess, spawnSync } from "node:child_process";

/** A non-negative number from the environment, or `fallback` when unset. */
export function num(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

const started = Date.now();

/** When the benchmark process started (ms since the epoch). */
export const STARTED_AT = started;

export const log = (msg: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
export const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
export const secs = (ms: number) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
export const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

// Every child is tracked so that a failure, or Ctrl-C, still stops all of them.
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 5000)));
}

export const HAS_TASKSET = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
