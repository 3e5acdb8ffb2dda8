import { type Dataset, keys } from "@coken/ledger";
import type { QueryCatalogArgs, Resolvers } from "../../generated/graphql.js";
import { commitmentHistory } from "../commitment-history.js";
import { keyedPage } from "../connection.js";
import { qualityOf } from "../credit-state.js";
import { toGlobalId } from "../ids.js";
import type { LedgerReader } from "../models.js";
import { agencies, datasets, isFrozen, regions } from "../state.js";

function matches(d: Dataset, filter: QueryCatalogArgs["filter"]): boolean {
  if (!filter) return true;
  if (filter.region != null && d.region !== filter.region) return false;
  if (filter.owner != null && d.owner !== filter.owner) return false;
  if (filter.tag != null && !d.tags.includes(filter.tag)) return false;
  if (filter.queryKind != null && !d.queryKinds.includes(filter.queryKind)) return false;
  if (filter.text != null) {
    const needle = filter.text.toLowerCase();
    if (!d.title.toLowerCase().includes(needle) && !d.description.toLowerCase().includes(needle))
      return false;
  }
  return true;
}

/** A dataset of `owner` by id, or null when it does not exist or belongs to another agency. */
function ownedDataset(ledger: LedgerReader, owner: string, id: string): Dataset | null {
  const d = ledger.get(keys.dataset(id));
  return d !== undefined && d.owner === owner ? d : null;
}

/** Agencies, regions and the catalog, from ledger state. */
export const catalogResolvers: Resolvers = {
  Query: {
    self: (_, __, { official }) => {
      const agency = official.ledger.get(keys.agency(official.self));
      if (agency === undefined) throw new Error("this gateway's agency is not registered on the ledger");
      return agency;
    },
    regions: (_, __, { official }) => regions(official.ledger).map((id) => ({ id })),
    region: (_, { id }, { official }) => (regions(official.ledger).includes(id) ? { id } : null),
    catalog: (_, { filter, first, after }, { official }) =>
      keyedPage(
        datasets(official.ledger).filter((d) => matches(d, filter)),
        (d) => d.id,
        first,
        after,
      ),
    commitmentHistory: (_, { dataset, first, after }, { official }) =>
      commitmentHistory(official.ledger, official.chain, dataset, first, after),
  },
  Region: {
    agencies: (region, _, { official }) => agencies(official.ledger).filter((a) => a.region === region.id),
    agency: (region, { id }, { official }) => {
      const a = official.ledger.get(keys.agency(id));
      return a !== undefined && a.region === region.id ? a : null;
    },
  },
  Agency: {
    id: (a) => toGlobalId("Agency", a.id),
    agencyId: (a) => a.id,
    region: (a) => ({ id: a.region }),
    frozen: (a, _, { official }) => isFrozen(official.ledger, "agency", a.id),
    account: (a, _, { official }) => {
      const account = official.ledger.get(keys.account(a.id));
      return account === undefined ? null : { agency: a.id, balance: account.balance, seq: account.seq };
    },
    datasets: (a, _, { official }) => datasets(official.ledger).filter((d) => d.owner === a.id),
    dataset: (a, { id }, { official }) => ownedDataset(official.ledger, a.id, id),
  },
  Dataset: {
    id: (d) => toGlobalId("Dataset", d.id),
    datasetId: (d) => d.id,
    owner: (d, _, { official }) => {
      const owner = official.ledger.get(keys.agency(d.owner));
      if (owner === undefined) throw new Error("dataset owner missing from ledger state");
      return owner;
    },
    commitment: (d) =>
      d.commitment === null
        ? null
        : { commitment: d.commitment, version: d.commitmentVersion, committedAt: d.committedAt },
    quality: (d, _, ctx) => qualityOf(ctx.official.ledger, d, ctx.now()),
    frozen: (d, _, { official }) =>
      isFrozen(official.ledger, "dataset", d.id) || isFrozen(official.ledger, "agency", d.owner),
  },
  CommitmentVersion: {
    scheme: (v) => v.commitment.scheme,
    root: (v) => v.commitment.root,
    rowCount: (v) => v.commitment.rowCount,
    indexedFields: (v) => v.commitment.indexedFields,
    time: (v) => v.timeMs,
  },
  DatasetCommitment: {
    scheme: (c) => c.commitment.scheme,
    root: (c) => c.commitment.root,
    rowCount: (c) => c.commitment.rowCount,
    indexedFields: (c) => c.commitment.indexedFields,
    verifyingKeys: (c) => c.commitment.verifyingKeys,
  },
};
