import { type Behaviour, BYZANTINE } from "./byzantine.js";
import { Prng } from "./prng.js";
import type { Scenario } from "./world.js";

/** Simulated time after the last fault heals within which every honest node must reach the target height. */
export const LIVENESS_BOUND_MS = 60_000;

/** When the last partition heals or the last crashed node restarts (0 without faults). */
export function lastFaultEnd(s: Scenario): number {
  return Math.max(0, ...s.partitions.map((p) => p.healMs), ...s.crashes.map((c) => c.restartMs));
}

/**
 * A random run of 4 validators: equal or unequal powers, at most one Byzantine node holding less than 1/3 of the
 * power, message delay, loss and duplication, up to two partitions that heal, and a crash-and-restart of an
 * honest node.
 */
export function randomScenario(seed: number): Scenario {
  const rng = new Prng(seed ^ 0x5eed5eed);
  const n = 4;
  const powers = rng.chance(0.5) ? [1, 1, 1, 1] : Array.from({ length: n }, () => rng.int(1, 3));
  const total = powers.reduce((a, b) => a + b, 0);
  const behaviours: Behaviour[] = powers.map(() => "honest");
  if (rng.chance(0.6)) {
    const candidates = powers.flatMap((p, i) => (p * 3 < total ? [i] : []));
    if (candidates.length > 0) behaviours[rng.pick(candidates)] = rng.pick(BYZANTINE);
  }
  const minDelayMs = rng.int(1, 20);
  const network = {
    minDelayMs,
    maxDelayMs: minDelayMs + rng.int(0, 150),
    drop: rng.pick([0, 0.05, 0.15, 0.3]),
    duplicate: rng.pick([0, 0.1, 0.3]),
  };
  const partitions: Scenario["partitions"] = [];
  if (rng.chance(0.4)) {
    for (let k = rng.int(1, 2); k > 0; k--) {
      const atMs = rng.int(0, 2500);
      const order = rng.shuffle([0, 1, 2, 3]);
      const cut = rng.int(1, n - 1);
      partitions.push({
        atMs,
        healMs: atMs + rng.int(200, 4000),
        groups: [order.slice(0, cut), order.slice(cut)],
      });
    }
  }
  const crashes: Scenario["crashes"] = [];
  const honest = behaviours.flatMap((b, i) => (b === "honest" ? [i] : []));
  if (rng.chance(0.35)) {
    const atMs = rng.int(0, 2500);
    crashes.push({ node: rng.pick(honest), atMs, restartMs: atMs + rng.int(100, 3000) });
  }
  const s: Scenario = {
    seed,
    powers,
    behaviours,
    targetHeight: 3,
    network,
    partitions,
    crashes,
    gossipIntervalMs: 300,
    limitMs: 0,
  };
  s.limitMs = lastFaultEnd(s) + LIVENESS_BOUND_MS;
  return s;
}
