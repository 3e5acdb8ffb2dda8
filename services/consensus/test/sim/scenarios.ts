import { proposerSchedule } from "../../src/index.js";
import { ATTACKS, type Attack, type AttackKind, type PolkaSplit } from "./attacks.js";
import { type Behaviour, BYZANTINE } from "./byzantine.js";
import { Prng } from "./prng.js";
import type { Scenario } from "./world.js";

/** Simulated time after the last fault heals within which every honest node must reach the target height. */
export const LIVENESS_BOUND_MS = 60_000;

/** When the last partition heals, the last crashed node restarts or an attack releases what it held (0 without faults). */
export function lastFaultEnd(s: Scenario): number {
  const release = s.attack === undefined ? [] : [s.attack.releaseMs];
  return Math.max(0, ...s.partitions.map((p) => p.healMs), ...s.crashes.map((c) => c.restartMs), ...release);
}

const TARGET_HEIGHT = 3;

/** Share of random runs that are a scripted attack (attacks.ts) instead. */
const ATTACK_SHARE = 0.1;

/**
 * A random run of 4 validators: equal or unequal powers, at most one Byzantine node holding less than 1/3 of the
 * power, message delay, loss and duplication, up to two partitions that heal, and a crash-and-restart of an
 * honest node. One run in ten is instead a scripted attack of a random kind, height and roles on such a network.
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
  // Drawn apart from the rest, so that the runs without an attack stay what they were.
  const attacks = new Prng(seed ^ 0xa77ac4);
  if (attacks.chance(ATTACK_SHARE)) {
    return attackScenario(attacks.pick(ATTACKS), {
      seed,
      height: attacks.int(1, TARGET_HEIGHT),
      targetHeight: TARGET_HEIGHT,
      network,
      releaseMs: attacks.int(1500, 4000),
      honestOrder: attacks.shuffle([0, 1, 2, 3, 4]),
    });
  }
  const s: Scenario = {
    seed,
    powers,
    behaviours,
    targetHeight: TARGET_HEIGHT,
    network,
    partitions,
    crashes,
    gossipIntervalMs: 300,
    limitMs: 0,
  };
  s.limitMs = lastFaultEnd(s) + LIVENESS_BOUND_MS;
  return s;
}

/** How an attack run is laid out; `honestOrder` fills the roles the proposer schedule leaves open, in order. */
export interface AttackLayout {
  seed: number;
  height: number;
  targetHeight: number;
  network: Scenario["network"];
  releaseMs: number;
  /** A permutation of 0 … n−1; the attacker and the roles fixed by the schedule are skipped. */
  honestOrder: readonly number[];
}

/** Four validators of power 1; five for split, where a side of two with the attacker is a majority, not a quorum. */
function powersFor(kind: AttackKind): number[] {
  return kind === "split" ? [1, 1, 1, 1, 1] : [1, 1, 1, 1];
}

/** Who proposes (height, round) among nodes v0 … v(n−1) of these powers. */
function proposerOf(powers: readonly number[], height: number, round: number): number {
  const schedule = proposerSchedule(powers.map((power, i) => ({ agency: `v${i}`, power })));
  return Number(schedule.proposer(height, round).slice(1));
}

/**
 * The attacker and its splits: the schedule fixes the attacker (the proposer of the round it must propose in) and
 * the proposers the attack needs honest; the other roles are taken from `order`.
 */
function roles(
  kind: AttackKind,
  powers: readonly number[],
  height: number,
  order: readonly number[],
): { attacker: number; splits: PolkaSplit[] } {
  const at = (round: number) => proposerOf(powers, height, round);
  const others = (...taken: number[]) => order.filter((i) => !taken.includes(i));
  switch (kind) {
    case "amnesia": {
      // The proposer of the next round sees no polka, so it proposes another block.
      const [attacker, next] = [at(0), at(1)];
      const [locked, decides] = others(attacker, next) as [number, number];
      return { attacker, splits: [{ round: 0, polka: [locked, decides], commit: [decides] }] };
    }
    case "stale-pol": {
      // Round 0 locks X on its honest proposer; round 1 locks and decides Y; the attacker proposes round 2.
      const [lockedX, attacker] = [at(0), at(2)];
      const [first, second] = others(lockedX, attacker) as [number, number];
      return {
        attacker,
        splits: [
          { round: 0, polka: [lockedX], commit: [] },
          { round: 1, polka: [first, second], commit: [second] },
        ],
      };
    }
    case "pol-not-below": {
      const attacker = at(1);
      return { attacker, splits: [{ round: 0, polka: others(attacker).slice(0, 1), commit: [] }] };
    }
    case "stall": {
      const attacker = at(0);
      return { attacker, splits: [{ round: 0, polka: others(attacker).slice(0, 1), commit: [] }] };
    }
    case "split": {
      const attacker = at(0);
      return { attacker, splits: [{ round: 0, polka: others(attacker).slice(0, 2), commit: [] }] };
    }
  }
}

/** A run in which one node makes attack `kind` at `layout.height`, with no other fault than the network's. */
export function attackScenario(kind: AttackKind, layout: AttackLayout): Scenario {
  const powers = powersFor(kind);
  const order = layout.honestOrder.filter((i) => i < powers.length);
  const { attacker, splits } = roles(kind, powers, layout.height, order);
  const behaviours: Behaviour[] = powers.map((_, i) => (i === attacker ? kind : "honest"));
  // pol-not-below: the late proposal must follow the others' prevotes for the block (two network delays).
  const lateMs = 2 * layout.network.maxDelayMs + 10;
  const attack: Attack = { height: layout.height, splits, releaseMs: layout.releaseMs, lateMs };
  return {
    seed: layout.seed,
    powers,
    behaviours,
    targetHeight: layout.targetHeight,
    // No random loss: the sim re-gossips a node's messages of its last two rounds only (the peer's driver, all of
    // the height), so a lost prevote of an older round, which a POL the attack builds may need, would stay lost.
    network: { ...layout.network, drop: 0 },
    partitions: [],
    crashes: [],
    attack,
    gossipIntervalMs: 300,
    limitMs: layout.releaseMs + LIVENESS_BOUND_MS,
  };
}

/** The targeted run of attack `kind`: at height 1, on a calm network, released after 3 s. */
export function targetedAttack(kind: AttackKind): Scenario {
  return attackScenario(kind, {
    seed: 7,
    height: 1,
    targetHeight: 3,
    network: { minDelayMs: 5, maxDelayMs: 40, drop: 0, duplicate: 0 },
    releaseMs: 3_000,
    honestOrder: [0, 1, 2, 3, 4],
  });
}
