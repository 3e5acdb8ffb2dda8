import type { Dataset, UpdateFrequency } from "../model.js";
import type { QualityFacts } from "./model.js";

/** How often a dataset promises a new commitment, in ms; null when it promises none (docs/spec/credits.md §6.1). */
export const UPDATE_PERIOD_MS: Record<UpdateFrequency, number | null> = {
  realtime: 3_600_000,
  hourly: 3_600_000,
  daily: 86_400_000,
  weekly: 604_800_000,
  monthly: 2_592_000_000,
  quarterly: 7_862_400_000,
  yearly: 31_536_000_000,
  irregular: null,
};

export const NO_FACTS: QualityFacts = {
  commits: 0,
  onTime: 0,
  lastCommitTime: null,
  disputed: 0,
  unpaid: 0,
};

/** A dataset's quality, each part and the score in 0..1000 (permille). */
export interface QualityScore {
  freshness: number;
  completeness: number;
  success: number;
  score: number;
}

/** Whether a commitment at `time` keeps the promise of the one at `previous` (within 1.5 periods). */
export function onTime(frequency: UpdateFrequency, previous: number, time: number): boolean {
  const period = UPDATE_PERIOD_MS[frequency];
  return period === null || (time - previous) * 2 <= period * 3;
}

/** Freshness: share of commitments made on time, reduced when the latest is overdue (§6.1). */
export function freshness(dataset: Dataset, facts: QualityFacts, time: number): number {
  if (facts.lastCommitTime === null || facts.commits === 0) return 0;
  const period = UPDATE_PERIOD_MS[dataset.updateFrequency];
  if (period === null) return 1000;
  const history = Math.floor((1000 * Math.min(facts.onTime + 1, facts.commits)) / facts.commits);
  const age = time - facts.lastCommitTime;
  if (age * 2 <= period * 3) return history;
  if (age <= period * 3) return Math.floor(history / 2);
  return Math.floor(history / 4);
}

/** Completeness: a non-empty commitment, covering the declared indexed fields and query kinds (§6.2). */
export function completeness(dataset: Dataset): number {
  const c = dataset.commitment;
  if (c === null || c.rowCount === 0) return 0;
  const declared = dataset.fields.filter((f) => f.indexed).map((f) => f.name);
  const indexed = new Set(c.indexedFields);
  const covered = declared.filter((f) => indexed.has(f)).length;
  const fieldPart = declared.length === 0 ? 250 : Math.floor((250 * covered) / declared.length);
  const proved = new Set(c.verifyingKeys.map((v) => v.queryKind));
  const kinds = dataset.queryKinds.filter((k) => proved.has(k)).length;
  return 500 + fieldPart + Math.floor((250 * kinds) / dataset.queryKinds.length);
}

/** Answer success: recorded receipts not disputed, over all recorded receipts (§6.3). */
export function success(dataset: Dataset, facts: QualityFacts): number {
  if (dataset.accessCount === 0) return 1000;
  const ok = Math.max(0, dataset.accessCount - facts.disputed);
  return Math.floor((1000 * ok) / dataset.accessCount);
}

/** The quality score of a dataset at block time `time`: the product of its three parts (§6.4). */
export function qualityScore(dataset: Dataset, facts: QualityFacts | undefined, time: number): QualityScore {
  const f = facts ?? NO_FACTS;
  const parts = {
    freshness: freshness(dataset, f, time),
    completeness: completeness(dataset),
    success: success(dataset, f),
  };
  const score = Number(
    (BigInt(parts.freshness) * BigInt(parts.completeness) * BigInt(parts.success)) / 1_000_000n,
  );
  return { ...parts, score };
}
