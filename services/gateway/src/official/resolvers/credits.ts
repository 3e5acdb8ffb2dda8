import { keys } from "@coken/ledger";
import type { Resolvers } from "../../generated/graphql.js";
import { keyedPage, pageSize } from "../connection.js";
import type { LedgerReader } from "../models.js";
import { accounts, agencies, datasets } from "../state.js";

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
    rankings: (_, { by, scope, first }, { official }) => {
      const n = pageSize(first, 10);
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
  },
};
