import { bitLength } from "./math.js";
import type { AgencyStanding, RegionStanding } from "./model.js";

/**
 * Tournament score (docs/spec/credits.md §8): log₂ of credits earned (capped at 32 bits), distinct consumers
 * (capped at 10) and quality. The log scale and the caps keep one large agency from drowning out the rest.
 */
export function score(earned: bigint, consumers: number, quality: number): number {
  return 10 * Math.min(bitLength(earned), 32) + 10 * Math.min(consumers, 10) + Math.floor(quality / 10);
}

function byScore<T extends { score: number; reward: bigint }>(key: (t: T) => string) {
  return (a: T, b: T) =>
    b.score - a.score ||
    (b.reward > a.reward ? 1 : b.reward < a.reward ? -1 : 0) ||
    (key(a) < key(b) ? -1 : 1);
}

/** Scores and orders agency lines: score descending, then reward descending, then id. */
export function rankAgencies(lines: readonly AgencyStanding[]): AgencyStanding[] {
  return lines
    .map((l) => ({ ...l, score: score(l.reward + l.fees, l.consumers, l.quality) }))
    .sort(byScore((l) => l.agency));
}

/** Aggregates agency lines per region (sums; quality is the mean) and orders them like agencies. */
export function rankRegions(lines: readonly AgencyStanding[]): RegionStanding[] {
  const regions = new Map<string, RegionStanding & { qualitySum: number }>();
  for (const l of lines) {
    const r = regions.get(l.region) ?? {
      region: l.region,
      reward: 0n,
      fees: 0n,
      consumers: 0,
      agencies: 0,
      quality: 0,
      score: 0,
      qualitySum: 0,
    };
    r.reward += l.reward;
    r.fees += l.fees;
    r.consumers += l.consumers;
    r.agencies++;
    r.qualitySum += l.quality;
    regions.set(l.region, r);
  }
  return [...regions.values()]
    .map(({ qualitySum, ...r }) => {
      const quality = Math.floor(qualitySum / r.agencies);
      return { ...r, quality, score: score(r.reward + r.fees, r.consumers, quality) };
    })
    .sort(byScore((r) => r.region));
}
