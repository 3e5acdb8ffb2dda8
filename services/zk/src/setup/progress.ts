/** Where long setup steps report what they are doing; the CLI prints these lines, tests collect them. */
export type Progress = (line: string) => void;

/** A progress sink that drops everything. */
export const silent: Progress = () => {};

/** Runs one long step between a start line and a done line carrying its elapsed time. */
export async function timed<T>(progress: Progress, label: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  progress(`${label} ...`);
  const value = await run();
  progress(`${label} done in ${formatElapsed(performance.now() - start)}`);
  return value;
}

/** Milliseconds as a short human duration ("850 ms", "12.3 s", "4 min 05 s"). */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}
