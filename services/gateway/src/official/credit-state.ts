import {
  type AgencyStanding,
  type Dataset,
  type EpochStanding,
  keys,
  type Offer,
  qualityScore,
  type RegionStanding,
  type Voucher,
  ZERO_SUPPLY,
} from "@coken/ledger";
import type { LedgerReader } from "./models.js";

/** Credit views over committed state, for the officials' resolvers. */

function* withPrefix<T>(ledger: LedgerReader, prefix: string): Generator<T> {
  for (const [key, record] of ledger.entries()) if (key.startsWith(prefix)) yield record as T;
}

/** Settled epochs' standings, most recent first. */
export function standings(ledger: LedgerReader): EpochStanding[] {
  return [...withPrefix<EpochStanding>(ledger, "standing/")].sort((a, b) => b.epoch - a.epoch);
}

/** One epoch's standing (the latest when `epoch` is null), with ranks. */
export function standingOf(ledger: LedgerReader, epoch: number | null | undefined) {
  const s = epoch == null ? standings(ledger)[0] : ledger.get(keys.standing(epoch));
  if (s === undefined) return null;
  return {
    ...s,
    agencies: s.agencies.map((a: AgencyStanding, i: number) => ({ ...a, rank: i + 1 })),
    regions: s.regions.map((r: RegionStanding, i: number) => ({ ...r, rank: i + 1 })),
  };
}

export function creditSupply(ledger: LedgerReader) {
  const supply = ledger.get(keys.supply) ?? ZERO_SUPPLY;
  let held = 0n;
  for (const a of withPrefix<{ balance: bigint }>(ledger, "account/")) held += a.balance;
  const circulating = held + supply.escrow;
  return { ...supply, circulating, genesis: circulating - supply.minted + supply.burned };
}

export function datasetQuality(ledger: LedgerReader, id: string, nowMs: number) {
  const dataset = ledger.get(keys.dataset(id));
  return dataset === undefined ? null : qualityOf(ledger, dataset, nowMs);
}

/** A dataset's quality score, its parts and the ledger facts behind them. */
export function qualityOf(ledger: LedgerReader, dataset: Dataset, nowMs: number) {
  const facts = ledger.get(keys.quality(dataset.id));
  const q = qualityScore(dataset, facts, nowMs);
  return {
    dataset: dataset.id,
    ...q,
    commits: facts?.commits ?? 0,
    onTime: facts?.onTime ?? 0,
    disputed: facts?.disputed ?? 0,
    accessCount: dataset.accessCount,
  };
}

export function offers(ledger: LedgerReader): Offer[] {
  return [...withPrefix<Offer>(ledger, "offer/")];
}

export function vouchers(ledger: LedgerReader, agency: string, asIssuer: boolean): Voucher[] {
  return [...withPrefix<Voucher>(ledger, "voucher/")]
    .filter((v) => (asIssuer ? v.issuer : v.holder) === agency)
    .sort((a, b) => b.height - a.height || (a.id < b.id ? -1 : 1));
}

/** Epoch-ranking value of a line for a metric. */
export function metricOf(
  line: AgencyStanding | RegionStanding,
  by: "EARNED" | "CONSUMERS" | "QUALITY" | "SCORE",
) {
  switch (by) {
    case "EARNED":
      return line.reward + line.fees;
    case "CONSUMERS":
      return BigInt(line.consumers);
    case "QUALITY":
      return BigInt(line.quality);
    case "SCORE":
      return BigInt(line.score);
  }
}
