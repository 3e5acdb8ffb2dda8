import { keys } from "@coken/ledger";
import type { Resolvers } from "../../generated/graphql.js";
import { keyedPage, pageSize } from "../connection.js";
import {
  creditSupply,
  datasetQuality,
  metricOf,
  offers,
  standingOf,
  standings,
  vouchers,
} from "../credit-state.js";
import type { LedgerReader } from "../models.js";
import { accounts, agencies, datasets } from "../state.js";

type EpochMetric = "EARNED" | "CONSUMERS" | "QUALITY" | "SCORE";

/** Per-agency value of a ranking metric. */
function agencyValues(ledger: LedgerReader, by: "CREDITS" | "CONTRIBUTIONS"): Map<string, bigint> {
  const values = new Map<string, bigint>();
  for (const a of agencies(ledger)) values.set(a.id, 0n);
  if (by === "CREDITS") {
    for (const a of accounts(ledger)) if (values.has(a.agency)) values.set(a.agency, a.balance);
  } else {
    for (const d of datasets(ledger))
      values.set(d.owner, (values.get(d.owner) ?? 0n) + BigInt(d.accessCount));
  }
  return values;
}

/** Credit accounts and rankings of agencies and regions. */
export const creditResolvers: Resolvers = {
  Query: {
    account: (_, { agency }, { official }) => {
      const a = official.ledger.get(keys.account(agency));
      return a === undefined ? null : { agency, balance: a.balance, seq: a.seq };
    },
    accounts: (_, { first, after }, { official }) =>
      keyedPage(accounts(official.ledger), (a) => a.agency, first, after),
    rankings: (_, { by, scope, first, epoch }, { official }) => {
      const n = pageSize(first, 10);
      if (by !== "CREDITS" && by !== "CONTRIBUTIONS") {
        const s = standingOf(official.ledger, epoch);
        const lines = s === null ? [] : scope === "REGION" ? s.regions : s.agencies;
        const ranked = lines
          .map((l) => ({
            subject: "agency" in l ? l.agency : l.region,
            value: metricOf(l, by as EpochMetric),
          }))
          .sort((a, b) =>
            a.value === b.value ? (a.subject < b.subject ? -1 : 1) : a.value > b.value ? -1 : 1,
          );
        return ranked.slice(0, n).map((r, i) => ({ rank: i + 1, ...r }));
      }
      let values = agencyValues(official.ledger, by);
      if (scope === "REGION") {
        const byRegion = new Map<string, bigint>();
        for (const a of agencies(official.ledger)) {
          byRegion.set(a.region, (byRegion.get(a.region) ?? 0n) + (values.get(a.id) ?? 0n));
        }
        values = byRegion;
      }
      // Highest first; ties by subject id so the order is stable.
      const sorted = [...values].sort(([a, x], [b, y]) => (x === y ? (a < b ? -1 : 1) : x > y ? -1 : 1));
      return sorted.slice(0, n).map(([subject, value], i) => ({ rank: i + 1, subject, value }));
    },
    creditSupply: (_, __, { official }) => creditSupply(official.ledger),
    standing: (_, { epoch }, { official }) => standingOf(official.ledger, epoch),
    creditHistory: (_, { agency, first }, { official }) => {
      const out = [];
      for (const s of standings(official.ledger)) {
        const i = s.agencies.findIndex((a) => a.agency === agency);
        const line = s.agencies[i];
        if (line !== undefined)
          out.push({ epoch: s.epoch, height: s.height, line: { ...line, rank: i + 1 } });
        if (out.length >= pageSize(first, 20)) break;
      }
      return out;
    },
    datasetQuality: (_, { dataset }, ctx) => datasetQuality(ctx.official.ledger, dataset, ctx.now()),
    redemptionCatalog: (_, __, { official }) => offers(official.ledger),
    voucher: (_, { id }, { official }) => official.ledger.get(keys.voucher(id)) ?? null,
    vouchers: (_, { agency, asIssuer }, { official }) => vouchers(official.ledger, agency, asIssuer ?? false),
  },
};
