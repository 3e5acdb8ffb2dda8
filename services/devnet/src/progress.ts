/**
 * A progress bar for the first start's key build. The work is estimated per step from what each step took on
 * a 2-core machine (compile ~8 s a circuit, development phase 1 ~28 s, phase-2 setup ~27 s a circuit, local
 * contribution ~2 s); the time left is that estimate scaled by how fast the steps done so far actually went.
 */

const STEP_SECONDS: [RegExp, number][] = [
  [/^compile /, 8],
  [/^dev ptau .*: powers of τ/, 11],
  [/^dev ptau .*: Lagrange/, 4],
  [/^dev phase-1 file/, 0],
  [/phase-2 init/, 27],
  [/local phase-2 contribution/, 2],
];

function weightOf(step: string): number | null {
  for (const [re, s] of STEP_SECONDS) if (re.test(step)) return s;
  return null;
}

/** Seconds a cold build of `circuits` takes on two cores, by the table above. */
export function estimateBuildSeconds(circuits: number): number {
  return circuits * (8 + 27 + 2) + 11 + 4 * 4;
}

export interface BuildProgress {
  /** Feed one line of the build's progress output. */
  line(text: string): void;
  /** Clears the bar; prints the total when something was built. */
  done(): void;
}

const fmt = (s: number) =>
  s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

export function buildProgress(
  circuits: number,
  out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean },
  now: () => number = () => performance.now(),
): BuildProgress {
  const total = estimateBuildSeconds(circuits);
  const start = now();
  let doneWeight = 0;
  let started = false;
  const tty = out.isTTY === true;
  const render = (label: string) => {
    const elapsed = (now() - start) / 1000;
    const fraction = Math.min(1, doneWeight / total);
    const pace = doneWeight > 0 ? elapsed / doneWeight : 1;
    const left = Math.max(0, (total - doneWeight) * pace);
    const width = 28;
    const bar = "█".repeat(Math.round(fraction * width)).padEnd(width, "░");
    const text = `  ZK keys [${bar}] ${Math.round(fraction * 100)}%  ${fmt(elapsed)} elapsed, ~${fmt(left)} left  ${label}`;
    out.write(tty ? `\r\x1b[2K${text.slice(0, 160)}` : `${text}\n`);
  };
  return {
    line(text) {
      const m = /^(?:\[[^\]]*\] )?(.*?)(?: done in .*| \.\.\.)?$/.exec(text);
      const step = m?.[1] ?? text;
      const weight = weightOf(step);
      if (weight === null) return;
      if (!started) {
        started = true;
        out.write(
          `First start: building development ZK keys for ${circuits} circuits (about ${fmt(total)} on 2 cores; cached afterwards).\n`,
        );
      }
      if (text.includes(" done in ")) doneWeight += weight;
      render(step);
    },
    done() {
      if (!started) return;
      if (tty) out.write("\r\x1b[2K");
      out.write(`  ZK keys built in ${fmt((now() - start) / 1000)}.\n`);
    },
  };
}
