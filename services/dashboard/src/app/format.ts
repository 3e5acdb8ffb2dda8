// Pure formatting and aggregation for the pages (no React, no I/O): unit-tested in test/format.test.ts.

/** A 共票 amount (a decimal string of any size) with thousands separators in `locale`. */
export function formatCredits(amount: string, locale: string): string {
  if (!/^-?\d+$/.test(amount)) return amount;
  return BigInt(amount).toLocaleString(locale);
}

/** The first `n` hex digits of a hash and an ellipsis (people compare the start). */
export function shortHash(hex: string, n = 12): string {
  return hex.length <= n ? hex : `${hex.slice(0, n)}…`;
}

/** An instant (ISO 8601 or ms since the epoch) as date and time in `locale`, to the second, UTC shown as local. */
export function formatTime(value: string | number, locale: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString(locale, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
}

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function dayOf(value: string | number): string {
  return new Date(value).toISOString().slice(0, 10);
}

export type GrantState = "active" | "revoked" | "expired" | "exhausted" | "frozen";

/** Why a grant can or cannot be used now (the gateway's `active` already folds in freezes). */
export function grantState(
  g: { active: boolean; revoked: boolean; expiresAt: string; used: number; quota: number },
  nowMs: number,
): GrantState {
  if (g.active) return "active";
  if (g.revoked) return "revoked";
  if (Date.parse(g.expiresAt) <= nowMs) return "expired";
  if (g.used >= g.quota) return "exhausted";
  return "frozen";
}

/** Share of a quota used, 0..1 (a zero quota counts as used up). */
export function quotaShare(used: number, quota: number): number {
  if (quota <= 0) return 1;
  return Math.min(1, Math.max(0, used / quota));
}

export interface DayRow {
  day: string;
  [region: string]: number | string;
}

/**
 * Requests per UTC day per region of the requesting agency, one row per day from the first to the last day seen
 * (days with none included, as zeros), regions in sorted order. Unknown agencies count under "?".
 */
export function requestsPerDay(
  receipts: { requester: string; time: string }[],
  regionOf: (agency: string) => string | undefined,
): { rows: DayRow[]; regions: string[] } {
  const counts = new Map<string, Map<string, number>>();
  const regions = new Set<string>();
  for (const r of receipts) {
    const day = dayOf(r.time);
    const region = regionOf(r.requester) ?? "?";
    regions.add(region);
    const perRegion = counts.get(day) ?? new Map<string, number>();
    perRegion.set(region, (perRegion.get(region) ?? 0) + 1);
    counts.set(day, perRegion);
  }
  const sortedRegions = [...regions].sort();
  const days = [...counts.keys()].sort();
  const rows: DayRow[] = [];
  if (days.length === 0) return { rows, regions: sortedRegions };
  const last = Date.parse(days[days.length - 1] as string);
  for (let t = Date.parse(days[0] as string); t <= last; t += 86_400_000) {
    const day = dayOf(t);
    const row: DayRow = { day };
    for (const region of sortedRegions) row[region] = counts.get(day)?.get(region) ?? 0;
    rows.push(row);
  }
  return { rows, regions: sortedRegions };
}

/** The `n` agencies that asked most, most first (ties by id). */
export function topConsumers(
  receipts: { requester: string }[],
  n = 5,
): { agency: string; requests: number }[] {
  const counts = new Map<string, number>();
  for (const r of receipts) counts.set(r.requester, (counts.get(r.requester) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => (x === y ? a.localeCompare(b) : y - x))
    .slice(0, n)
    .map(([agency, requests]) => ({ agency, requests }));
}

/** A permille figure (0..1000, the ledger's quality unit) as a percentage with one decimal in `locale`. */
export function formatPermille(permille: number, locale: string): string {
  return (permille / 1000).toLocaleString(locale, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
}

/**
 * The credit supply's conservation law, Σ balances + escrow = circulating = genesis + minted − burned
 * (docs/spec/credits.md §2), checked on its left side: the balances summed here from every account listed, plus
 * escrow, against the supply's `circulating`. (The ledger keeps minted and burned, not the genesis total, which the
 * gateway derives from them; so only this side can disagree.)
 */
export function supplyHeld(
  balances: readonly string[],
  s: { escrow: string; circulating: string },
): {
  held: string;
  holds: boolean;
} {
  const held = balances.reduce((sum, b) => sum + BigInt(b), 0n) + BigInt(s.escrow);
  return { held: held.toString(), holds: held === BigInt(s.circulating) };
}

/** An agency's epoch lines (newest first, as the API lists them) as chart rows, oldest epoch first. */
export function earningsPerEpoch(
  history: { epoch: number; line: { reward: string; fees: string } }[],
): { epoch: string; reward: number; fees: number }[] {
  return [...history]
    .sort((a, b) => a.epoch - b.epoch)
    .map((h) => ({ epoch: String(h.epoch), reward: Number(h.line.reward), fees: Number(h.line.fees) }));
}
