import { type AgencyId, type Dataset, keys, toHex } from "@coken/ledger";
import type { Store } from "@coken/store";
import { type ArtifactRegistry, encodeValue, type RowValue, ZkError } from "@coken/zk";
import { type OwnTxComponents, OwnTxError, submitOwnTx } from "./own-tx.js";
import { commitStoredRows, type ProvedDatasets, verifyingKeysHere } from "./proved-datasets.js";
import type { ProvedDatasetConfig } from "./zk-config.js";

/** A refused dataset operation: a stable code for the operator, and nothing about the rows. */
export class DatasetOpError extends Error {
  override readonly name = "DatasetOpError";
  constructor(
    readonly code: "NOT_FOUND" | "FORBIDDEN" | "BAD_ROWS" | "NOT_PROVED" | "REFUSED",
    message: string,
  ) {
    super(message);
  }
}

export interface DatasetOpsComponents {
  self: AgencyId;
  ledger: { get(key: string): unknown };
  store: Store;
  tx: OwnTxComponents;
  /** The zero-knowledge side, when configured: keys to list in commitments and the layouts of proved datasets. */
  zk?: {
    registry: ArtifactRegistry;
    layouts: Record<string, ProvedDatasetConfig>;
    datasets?: ProvedDatasets;
  };
  now(): number;
}

const MAX_KEY = 256;

export interface CommitOutcome {
  tx: string;
  root: string;
  rowCount: number;
  indexedFields: string[];
}

/** What an agency's operator does with its own datasets: load rows into its store and commit to them on the ledger. */
export class DatasetOps {
  constructor(private readonly c: DatasetOpsComponents) {}

  /**
   * Validates `rows` against the dataset's published fields (every field present and encodable, no others) and
   * upserts them in one transaction: either all are stored or none. Errors name the line, never the values.
   */
  async importRows(datasetId: string, rows: unknown[]): Promise<number> {
    const dataset = this.#own(datasetId);
    const checked = rows.map((row, i) => checkRow(dataset, row, i + 1));
    await this.c.store.localData.upsertRows(datasetId, checked, this.c.now());
    return checked.length;
  }

  /**
   * Commits to the rows stored for the dataset with its configured layout and submits `dataset.commit`, signed by
   * this agency, listing the verifying keys this peer proves with.
   */
  async commit(datasetId: string): Promise<CommitOutcome> {
    const dataset = this.#own(datasetId);
    const zk = this.c.zk;
    const layout = zk?.layouts[datasetId];
    if (zk === undefined || layout === undefined)
      throw new DatasetOpError("NOT_PROVED", `name ${datasetId} under zk.datasets to commit to it`);
    let built: Awaited<ReturnType<typeof commitStoredRows>>;
    try {
      built = await commitStoredRows(this.c.store, dataset, layout);
    } catch (e) {
      // A build that ended without a result (its process failed) says nothing about the rows.
      if (e instanceof ZkError && e.code !== "BUILD_FAILED")
        throw new DatasetOpError("BAD_ROWS", `${e.code}: ${e.message}`);
      throw e;
    }
    const commitment = { ...built.commitment, verifyingKeys: verifyingKeysHere(zk.registry, dataset) };
    let tx: string;
    try {
      tx = submitOwnTx(this.c.tx, "dataset.commit", { dataset: datasetId, commitment });
    } catch (e) {
      if (e instanceof OwnTxError) throw new DatasetOpError("REFUSED", e.message);
      throw e;
    }
    zk.datasets?.offer(datasetId, built);
    return {
      tx,
      root: toHex(commitment.root),
      rowCount: commitment.rowCount,
      indexedFields: commitment.indexedFields,
    };
  }

  #own(datasetId: string): Dataset {
    const dataset = this.c.ledger.get(keys.dataset(datasetId)) as Dataset | undefined;
    if (dataset === undefined) throw new DatasetOpError("NOT_FOUND", `no dataset ${datasetId} on the ledger`);
    if (dataset.owner !== this.c.self)
      throw new DatasetOpError("FORBIDDEN", `${datasetId} belongs to ${dataset.owner}`);
    return dataset;
  }
}

function checkRow(
  dataset: Dataset,
  row: unknown,
  line: number,
): { key: string; fields: Record<string, RowValue> } {
  const bad = (why: string) => new DatasetOpError("BAD_ROWS", `row ${line}: ${why}`);
  if (typeof row !== "object" || row === null || Array.isArray(row)) throw bad("expected {key, fields}");
  const { key, fields } = row as { key?: unknown; fields?: unknown };
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY)
    throw bad(`key must be a string of 1..${MAX_KEY} characters`);
  if (typeof fields !== "object" || fields === null || Array.isArray(fields))
    throw bad("fields must be an object");
  const values = fields as Record<string, RowValue>;
  for (const name of Object.keys(values))
    if (!dataset.fields.some((f) => f.name === name)) throw bad(`${name} is not a field of ${dataset.id}`);
  for (const f of dataset.fields) {
    if (!(f.name in values)) throw bad(`field ${f.name} is missing`);
    try {
      encodeValue(f.type, values[f.name] as RowValue);
    } catch (e) {
      if (e instanceof ZkError) throw bad(`field ${f.name} is not a valid ${f.type}`);
      throw e;
    }
  }
  return { key, fields: values };
}
