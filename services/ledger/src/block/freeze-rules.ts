import type { BlockContext } from "../apply/context.js";
import { writeFreeze } from "../apply/freeze-log.js";
import type { FreezeKind, FreezeRules, MisbehaviourRecord } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateOverlay, StateReader } from "../state/view.js";

/** A tx of this block refused with QUOTA_EXCEEDED: the grant, the use it attempted and its quota. */
export interface QuotaOverrun {
  grant: string;
  used: number;
  quota: number;
}

/** What happened in this block that the rules look at; each list is bounded by the block's contents. */
export interface BlockFacts {
  /** Evidence records written by this block, in block order. */
  evidence: readonly MisbehaviourRecord[];
  /** Refused over-quota attempts, in tx order. */
  overruns: readonly QuotaOverrun[];
}

const QUALITY_PREFIX = "quality/";

/**
 * End-of-block automatic freezes (docs/spec/ledger.md §10.9). Each rule looks only at facts new in this block
 * (evidence recorded, over-quota txs refused, quality facts written), so the work is bounded by the block and a
 * freeze lifted by the regulator set is not re-imposed until new facts arrive. Writes nothing while no
 * `freezerules` record exists. `before` is the state the block started from.
 */
export function applyFreezeRules(
  overlay: StateOverlay,
  before: StateReader,
  ctx: BlockContext,
  facts: BlockFacts,
): void {
  const rules = overlay.get(keys.freezerules);
  if (rules === undefined) return;
  if (rules.doubleSign) doubleSignRule(overlay, ctx, facts.evidence);
  if (rules.quotaOverrunBps > 0) quotaOverrunRule(overlay, ctx, rules, facts.overruns);
  if (rules.disputeRateBps > 0) disputeRateRule(overlay, before, ctx, rules);
}

function autoFreeze(
  overlay: StateOverlay,
  ctx: BlockContext,
  kind: FreezeKind,
  id: string,
  rule: string,
  reason: string,
  evidence: string,
): void {
  if (overlay.get(keys.freeze(kind, id)) !== undefined) return;
  writeFreeze(overlay, {
    kind,
    id,
    reason,
    by: `rule:${rule}`,
    height: ctx.height,
    time: ctx.time,
    rule,
    evidence,
    approvals: [],
  });
}

function doubleSignRule(
  overlay: StateOverlay,
  ctx: BlockContext,
  evidence: readonly MisbehaviourRecord[],
): void {
  for (const e of evidence) {
    const key = keys.evidence(e.validator, e.height, e.round, e.type);
    const reason = `double ${e.type} at height ${e.height} round ${e.round}`;
    autoFreeze(overlay, ctx, "agency", e.validator, "double-sign", reason, key);
  }
}

function quotaOverrunRule(
  overlay: StateOverlay,
  ctx: BlockContext,
  rules: FreezeRules,
  overruns: readonly QuotaOverrun[],
): void {
  for (const o of overruns) {
    const key = keys.overquota(o.grant);
    const excess = (overlay.get(key)?.excess ?? 0) + Math.max(0, o.used - o.quota);
    overlay.set(key, { excess });
    // Attempted use (quota + refused excess) reached quotaOverrunBps/10000 of the quota.
    if ((o.quota + excess) * 10_000 < o.quota * rules.quotaOverrunBps) continue;
    const reason = `attempted ${o.quota + excess} receipts on a quota of ${o.quota}`;
    const evidence = `${key}: excess ${excess}, quota ${o.quota}`;
    autoFreeze(overlay, ctx, "grant", o.grant, "quota-overrun", reason, evidence);
  }
}

function disputeRateRule(
  overlay: StateOverlay,
  before: StateReader,
  ctx: BlockContext,
  rules: FreezeRules,
): void {
  const written = [...overlay.diff().writes.keys()].filter((k) => k.startsWith(QUALITY_PREFIX)).sort();
  for (const key of written) {
    const dataset = key.slice(QUALITY_PREFIX.length);
    const facts = overlay.get(keys.quality(dataset));
    const earlier = before.get(keys.quality(dataset))?.disputed ?? 0;
    const record = overlay.get(keys.dataset(dataset));
    if (facts === undefined || record === undefined || facts.disputed <= earlier) continue;
    const recorded = record.accessCount;
    if (recorded < rules.disputeMinReceipts) continue;
    if (facts.disputed * 10_000 <= recorded * rules.disputeRateBps) continue;
    const reason = `${facts.disputed} of ${recorded} recorded receipts disputed`;
    const evidence = `${key}: disputed ${facts.disputed}; dataset/${dataset}: accessCount ${recorded}`;
    autoFreeze(overlay, ctx, "dataset", dataset, "dispute-rate", reason, evidence);
  }
}
