import type { BlockContext } from "../apply/context.js";
import type { EpochState } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateOverlay } from "../state/view.js";
import { creditAccount, readIndex, readSupply } from "./book.js";
import { isqrt, min } from "./math.js";
import type { AgencyStanding, CreditParams, Earnings } from "./model.js";
import { creditParams } from "./params.js";
import { qualityScore } from "./quality.js";
import { rankAgencies, rankRegions } from "./ranking.js";

/** One provider's claim on the epoch's budget, before the split (docs/spec/credits.md §5). */
export interface RewardClaim {
  provider: string;
  /** Σ over unrelated consumers of ⌊√min(receipts, pairCap)⌋. */
  units: bigint;
  /** Receipt-weighted quality of the datasets used, 0..1000. */
  quality: number;
  /** ⌊burned fees of the unrelated consumers' receipts × rewardCapBps / 10 000⌋: the most it may be minted. */
  cap: bigint;
  /** Provider fee shares received this epoch from unrelated consumers. */
  fees: bigint;
  consumers: number;
  receipts: number;
  /** False when the provider or its account is frozen: it is minted nothing. */
  eligible: boolean;
}

/** Whether `a` and `b` are one agency or declared related in the registry. */
export function related(state: StateOverlay, a: string, b: string): boolean {
  return a === b || state.get(keys.relation(a, b)) !== undefined;
}

/** The claim of one provider from its earnings record and ledger facts at block time `time`. */
export function claimOf(
  state: StateOverlay,
  provider: string,
  e: Earnings,
  cp: CreditParams,
  time: number,
): RewardClaim {
  const cap = BigInt(cp.pairCap);
  let units = 0n;
  let burned = 0n;
  let fees = 0n;
  let consumers = 0;
  let receipts = 0;
  for (const c of e.consumers) {
    if (related(state, provider, c.agency)) continue;
    fees += c.fees - c.burned;
    const n = BigInt(c.receipts);
    units += isqrt(min(n, cap));
    burned += c.burned;
    consumers++;
    receipts += c.receipts;
  }
  let weighted = 0n;
  let used = 0n;
  for (const d of e.datasets) {
    const dataset = state.get(keys.dataset(d.dataset));
    if (dataset === undefined) continue;
    const q = qualityScore(dataset, state.get(keys.quality(d.dataset)), time).score;
    weighted += BigInt(q) * BigInt(d.receipts);
    used += BigInt(d.receipts);
  }
  const frozen =
    state.get(keys.freeze("agency", provider)) !== undefined ||
    state.get(keys.freeze("account", provider)) !== undefined;
  return {
    provider,
    units,
    quality: used === 0n ? 0 : Number(weighted / used),
    cap: (burned * BigInt(cp.rewardCapBps)) / 10_000n,
    fees,
    consumers,
    receipts,
    eligible: !frozen && state.get(keys.account(provider)) !== undefined,
  };
}

/**
 * Splits a budget over claims (docs/spec/credits.md §5.3): weight = units × quality, share = ⌊budget × weight /
 * Σ weight⌋, reward = min(share, cap). What the caps and rounding leave is not minted.
 */
export function splitBudget(claims: readonly RewardClaim[], budget: bigint): bigint[] {
  const weights = claims.map((c) => (c.eligible ? c.units * BigInt(c.quality) : 0n));
  const total = weights.reduce((a, b) => a + b, 0n);
  return claims.map((c, i) => (total === 0n ? 0n : min((budget * (weights[i] as bigint)) / total, c.cap)));
}

/**
 * Epoch settlement (docs/spec/credits.md §5): mints each provider its reward, writes the epoch's standing and
 * clears the epoch's earnings. Reads only this epoch's earnings records and the facts they name, so its work is
 * bounded by providers × consumers, whatever the number of receipts.
 */
export function settleEpoch(state: StateOverlay, epoch: EpochState, block: BlockContext): void {
  const params = state.get(keys.params);
  if (params === undefined) return;
  const cp = creditParams(params);
  const index = readIndex(state);
  const claims: RewardClaim[] = [];
  for (const provider of index.providers) {
    const e = state.get(keys.earnings(provider));
    if (e !== undefined) claims.push(claimOf(state, provider, e, cp, block.time));
    state.delete(keys.earnings(provider));
  }
  const rewards = splitBudget(claims, BigInt(cp.mintPerEpoch));
  const supply = { ...readSupply(state) };
  const lines: AgencyStanding[] = claims.map((c, i) => {
    const reward = rewards[i] as bigint;
    supply.minted += reward;
    const paid = creditAccount(state, supply, c.provider, reward);
    return {
      agency: c.provider,
      region: state.get(keys.agency(c.provider))?.region ?? "",
      reward: paid,
      fees: c.fees,
      consumers: c.consumers,
      receipts: c.receipts,
      quality: c.quality,
      score: 0,
    };
  });
  const minted = rewards.reduce((a, b) => a + b, 0n);
  if (claims.length > 0 || minted > 0n) state.set(keys.supply, supply);
  if (index.providers.length > 0) state.set(keys.settlement, { ...index, providers: [] });
  if (claims.length === 0) return;
  const agencies = rankAgencies(lines);
  state.set(keys.standing(epoch.number), {
    epoch: epoch.number,
    height: block.height,
    time: block.time,
    minted,
    agencies,
    regions: rankRegions(agencies),
  });
}

/** The settlement in force on every `coken/1` chain: credit rewards (docs/spec/credits.md). */
export const creditSettlement = { settle: settleEpoch } as const;
