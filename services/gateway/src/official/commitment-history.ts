import { type DatasetCommitment, decodeTx, keys } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import { type Connection, connection, decodeCursor, encodeCursor, pageSize } from "./connection.js";
import type { ChainRecords, CommitmentVersionModel, LedgerReader } from "./models.js";

/** Stored transactions read per store query, and at most per request (the owner's other datasets' ones included). */
export interface HistoryScan {
  batch: number;
  max: number;
}
const SCAN: HistoryScan = { batch: 100, max: 1000 };

/** Where a page stopped: a transaction's position in chain order and the version it committed. */
interface HistoryCursor {
  h: number;
  i: number;
  v: number;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHistoryCursor = (v: unknown): v is HistoryCursor => {
  const c = v as HistoryCursor;
  return typeof c === "object" && c !== null && isCount(c.h) && isCount(c.i) && isCount(c.v) && c.v > 0;
};

/** The commitment a stored `dataset.publish` or `dataset.commit` gives `dataset`, or null (another dataset, none). */
function commitmentOf(raw: Uint8Array, dataset: string): DatasetCommitment | null {
  const { body } = decodeTx(raw);
  if (body.kind === "dataset.commit") {
    const p = body.payload as { dataset: string; commitment: DatasetCommitment };
    return p.dataset === dataset ? p.commitment : null;
  }
  if (body.kind === "dataset.publish") {
    const p = body.payload as { id: string; commitment: DatasetCommitment | null };
    return p.id === dataset ? p.commitment : null;
  }
  return null;
}

/**
 * A dataset's commitments, newest first. The store holds the transactions that committed them (its owner's
 * applied `dataset.publish` and `dataset.commit`, between the dataset's publication and its last commitment);
 * ledger state says how many there are, so versions are numbered down from the dataset's commitment version and
 * whether more follow is known without reading them. A cursor is the position the page reached and the version
 * found there, so a page stays correct as new versions are committed above it.
 */
export async function commitmentHistory(
  ledger: LedgerReader,
  chain: ChainRecords,
  datasetId: string,
  first: number | null | undefined,
  after: string | null | undefined,
  scan: HistoryScan = SCAN,
): Promise<Connection<CommitmentVersionModel> & { totalCount: number }> {
  const n = pageSize(first, 10);
  const cursor = after == null ? null : decodeCursor(after, isHistoryCursor);
  const cursorOf = (v: CommitmentVersionModel) => encodeCursor({ h: v.height, i: v.index, v: v.version });
  const dataset = ledger.get(keys.dataset(datasetId));
  if (dataset === undefined || dataset.committedAt === null)
    return { ...connection([], cursorOf, false, cursor !== null), totalCount: 0 };
  const total = dataset.commitmentVersion;
  if (cursor !== null && cursor.v > total + 1)
    throw new GatewayError("BAD_USER_INPUT", "after is not a cursor of this dataset's history");
  let version = cursor === null ? total : cursor.v - 1;
  let before = cursor === null ? undefined : { height: cursor.h, index: cursor.i };
  const nodes: CommitmentVersionModel[] = [];
  let scanned = 0;
  let exhausted = false;
  scanning: while (nodes.length < n && version > 0 && scanned < scan.max) {
    const rows = await chain.datasetTxs({
      sender: dataset.owner,
      fromHeight: dataset.publishedAt,
      toHeight: dataset.committedAt,
      ...(before === undefined ? {} : { before }),
      limit: scan.batch,
    });
    for (const row of rows) {
      scanned++;
      before = { height: row.height, index: row.index };
      const commitment = commitmentOf(row.raw, datasetId);
      if (commitment === null) continue;
      // The newest version's transaction is at the height ledger state names, unless that block is still being
      // written to the store (the ledger applies a block before the store holds it).
      if (version === total && row.height !== dataset.committedAt) throw storeBehind(dataset.committedAt);
      const { height, index, timeMs, hash } = row;
      nodes.push({ version, commitment, height, index, timeMs, txHash: hash });
      version--;
      if (nodes.length === n || version === 0) break scanning;
    }
    exhausted = rows.length < scan.batch;
    if (exhausted) break;
  }
  if (exhausted && version === total) throw storeBehind(dataset.committedAt);
  const page = connection(nodes, cursorOf, version > 0 && !exhausted, cursor !== null);
  // A scan that stopped on its bound before filling the page resumes where it stopped, not after its last edge.
  if (version > 0 && !exhausted && nodes.length < n && before !== undefined)
    page.pageInfo.endCursor = encodeCursor({ h: before.height, i: before.index, v: version + 1 });
  return { ...page, totalCount: total };
}

function storeBehind(height: number): GatewayError {
  return new GatewayError(
    "STORE_BEHIND",
    `the block at height ${height} is in ledger state but not yet in the store; ask again`,
    { height },
  );
}
