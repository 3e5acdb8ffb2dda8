import { keys } from "../../src/index.js";
import { CHAIR, CreditWorld, type WorldAgency } from "./world.js";

/**
 * Adversarial simulation of the credit rules (docs/spec/credits.md §10): an honest provider with real demand from
 * several consumers, beside one gaming strategy per run, on a real in-process ledger. Deterministic: a seeded
 * generator picks the honest demand; no clock, no network.
 */

export const SIM_PARAMS = {
  epochLength: 30,
  mintPerEpoch: 2_000,
  feeBurnBps: 2_000,
  rewardCapBps: 5_000,
  pairCap: 10_000,
  receiptMaxAgeMs: 5_000,
};
const PRICE = 10n;
const HONEST = "h.registry";
const CONSUMERS = ["c1.tax", "c2.police", "c3.health", "c4.transport", "c5.housing"];

/** Mulberry32: a small seeded generator, enough to vary demand reproducibly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulationRow {
  strategy: string;
  agencies: string[];
  receipts: number;
  /** Credits minted to the coalition. */
  reward: bigint;
  /** Balance change of the coalition: what gaming earned after its own fees. */
  net: bigint;
  /** The honest provider's reward (minted) in the same run. */
  honestReward: bigint;
  /** The honest provider's balance change (reward + fee shares). */
  honestNet: bigint;
  note: string;
}

interface Strategy {
  name: string;
  agencies: WorldAgency[];
  related?: [string, string][];
  /** Queues the strategy's activity after datasets and grants exist; returns a note. */
  play(w: CreditWorld, grants: Map<string, string>): { receipts: number; note: string };
  datasets: string[];
  /** [provider, consumer] grants the strategy needs. */
  uses: [string, string][];
  /** Agencies whose balances form the coalition's result. */
  coalition: string[];
}

const ds = (provider: string) => `${provider}/data`;
const agency = (id: string, balance = 100_000n): WorldAgency => ({ id, region: regionOf(id), balance });
function regionOf(id: string): string {
  return id.startsWith("h.") || id.startsWith("s") ? "R-East" : id.startsWith("c") ? "R-West" : "R-North";
}

function record(w: CreditWorld, grants: Map<string, string>, p: string, c: string, n: number) {
  w.record(p, c, grants.get(`${p}>${c}`) as string, ds(p), n);
}

export const STRATEGIES: Strategy[] = [
  {
    name: "(a) self-dealing through a related agency",
    agencies: [agency("s.bureau"), agency("s.branch")],
    related: [["s.bureau", "s.branch"]],
    datasets: ["s.bureau"],
    uses: [["s.bureau", "s.branch"]],
    coalition: ["s.bureau", "s.branch"],
    play(w, grants) {
      w.tx("s.bureau", "grant.issue", {
        dataset: ds("s.bureau"),
        grantee: "s.bureau",
        queryKinds: ["count"],
        fields: [],
        purpose: "asking its own data",
        quota: 1000,
        expiresAt: w.s.time + 86_400_000,
      });
      if (w.flush().at(-1) !== "INVALID_FIELD") throw new Error("a grant to oneself must be refused");
      record(w, grants, "s.bureau", "s.branch", 600);
      return {
        receipts: 600,
        note: "a grant to itself is refused (INVALID_FIELD); its declared branch asks instead",
      };
    },
  },
  {
    name: "(b) sybil pair querying each other",
    agencies: [agency("x.one"), agency("y.two")],
    datasets: ["x.one", "y.two"],
    uses: [
      ["x.one", "y.two"],
      ["y.two", "x.one"],
    ],
    coalition: ["x.one", "y.two"],
    play(w, grants) {
      record(w, grants, "x.one", "y.two", 400);
      record(w, grants, "y.two", "x.one", 400);
      return { receipts: 800, note: "not declared related: only the fee cap and the burn stop it" };
    },
  },
  {
    name: "(c) ring of three colluding agencies",
    agencies: [agency("r1.ring"), agency("r2.ring"), agency("r3.ring")],
    datasets: ["r1.ring", "r2.ring", "r3.ring"],
    uses: [
      ["r1.ring", "r2.ring"],
      ["r2.ring", "r3.ring"],
      ["r3.ring", "r1.ring"],
    ],
    coalition: ["r1.ring", "r2.ring", "r3.ring"],
    play(w, grants) {
      record(w, grants, "r1.ring", "r2.ring", 300);
      record(w, grants, "r2.ring", "r3.ring", 300);
      record(w, grants, "r3.ring", "r1.ring", 300);
      return { receipts: 900, note: "each member consumes the next one's data" };
    },
  },
  {
    name: "(d) provider spamming failing answers",
    agencies: [agency("d.spam")],
    datasets: ["d.spam"],
    uses: CONSUMERS.slice(0, 3).map((c) => ["d.spam", c] as [string, string]),
    coalition: ["d.spam"],
    play(w, grants) {
      const disputes: [string, Uint8Array[]][] = CONSUMERS.slice(0, 3).map((c) => [
        c,
        w.attest("d.spam", c, grants.get(`d.spam>${c}`) as string, ds("d.spam"), 100),
      ]);
      w.flush();
      for (const [c, ids] of disputes) {
        w.tx(c, "access.dispute", { provider: "d.spam", receipts: ids, reason: "no valid proof" });
      }
      return { receipts: 300, note: "attested receipts, every one disputed by its requester" };
    },
  },
  {
    name: "(e) consumer splitting one query into many",
    agencies: [agency("e.asker"), agency("f.friend")],
    datasets: ["f.friend"],
    uses: [["f.friend", "e.asker"]],
    coalition: ["e.asker", "f.friend"],
    play(w, grants) {
      record(w, grants, "f.friend", "e.asker", 1000);
      return { receipts: 1000, note: "10 real questions asked as 1000 tiny queries to a friendly provider" };
    },
  },
];

/** Runs one strategy beside the honest provider for one epoch; returns its row. */
export function simulate(strategy: Strategy, seed = 1): SimulationRow {
  const rand = seeded(seed);
  const w = new CreditWorld(
    [agency(HONEST, 0n), ...CONSUMERS.map((c) => agency(c)), ...strategy.agencies],
    SIM_PARAMS,
  );
  w.publish(HONEST, ds(HONEST), PRICE);
  for (const p of strategy.datasets) w.publish(p, ds(p), PRICE);
  for (const [a, b] of strategy.related ?? []) {
    w.tx(CHAIR, "governance.propose", { action: { type: "agency.relate", agencies: [a, b], related: true } });
  }
  const codes = w.flush();
  if (codes.some((c) => c !== null)) throw new Error(`setup refused: ${codes.join(", ")}`);
  const grants = new Map<string, string>();
  for (const c of CONSUMERS) grants.set(`${HONEST}>${c}`, w.grant(HONEST, ds(HONEST), c));
  for (const [p, c] of strategy.uses) grants.set(`${p}>${c}`, w.grant(p, ds(p), c));
  w.flush();
  const start = new Map([HONEST, ...strategy.coalition].map((a) => [a, w.balance(a)]));
  for (const c of CONSUMERS) record(w, grants, HONEST, c, 20 + Math.floor(rand() * 41));
  const played = strategy.play(w, grants);
  w.flush();
  const epoch = w.s.ledger.state.get(keys.epoch)?.number ?? 0;
  w.settle();
  const standing = w.s.ledger.state.get(keys.standing(epoch));
  const line = (a: string) => standing?.agencies.find((l) => l.agency === a);
  const delta = (a: string) => w.balance(a) - (start.get(a) ?? 0n);
  const reward = strategy.coalition.reduce((n, a) => n + (line(a)?.reward ?? 0n), 0n);
  return {
    strategy: strategy.name,
    agencies: strategy.coalition,
    receipts: played.receipts,
    reward,
    net: strategy.coalition.reduce((n, a) => n + delta(a), 0n),
    honestReward: line(HONEST)?.reward ?? 0n,
    honestNet: delta(HONEST),
    note: played.note,
  };
}

/** Every strategy, in order. */
export function simulateAll(seed = 1): SimulationRow[] {
  return STRATEGIES.map((s) => simulate(s, seed));
}

/** The result table as Markdown. */
export function simulationMarkdown(rows: readonly SimulationRow[]): string {
  const head =
    "| Strategy | Receipts | Coalition reward | Coalition net (after its fees) | Honest provider reward | Net / honest reward | How |\n" +
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
  const body = rows
    .map((r) => {
      const ratio =
        r.honestReward === 0n ? "n/a" : `${((Number(r.net) / Number(r.honestReward)) * 100).toFixed(1)} %`;
      return `| ${r.strategy} | ${r.receipts} | ${r.reward} | ${r.net} | ${r.honestReward} | ${ratio} | ${r.note} |`;
    })
    .join("\n");
  return `${head}${body}\n`;
}
