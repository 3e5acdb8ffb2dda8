import { blocks, chainMeta, stateEntries, stateMeta, transactions } from "@coken/db-schema";
import { and, asc, desc, eq, getTableColumns, gte, lte, type SQL, sql } from "drizzle-orm";
import { commitBlock } from "./block-writer.js";
import { type Db, guard, inTransaction } from "./db.js";
import { invalidArgument } from "./errors.js";
import { queryReceipts } from "./receipt-query.js";
import type { LedgerRepository } from "./repositories.js";
import type {
  BlockCommit,
  DatasetTxQuery,
  ReceiptPage,
  ReceiptQuery,
  StateSnapshot,
  StoredBlock,
  StoredTx,
  TimedTxRecord,
  TxRecord,
} from "./types.js";
import { requireBytes, requireInt4, requireInt8, requireLimit, requireText } from "./validate.js";

type BlockRow = typeof blocks.$inferSelect;
type TxRow = typeof transactions.$inferSelect;

function toStoredTx({ height: _height, ...tx }: TxRow): StoredTx {
  return tx;
}

function toStoredBlock({ txCount: _txCount, ...block }: BlockRow, txs: StoredTx[]): StoredBlock {
  return { ...block, txs };
}

export class DrizzleLedgerRepository implements LedgerRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  commitBlock(commit: BlockCommit): Promise<void> {
    return commitBlock(this.#db, commit);
  }

  async setCommitCertificate(height: number, commit: Uint8Array): Promise<void> {
    requireInt8("height", height);
    requireBytes("commit", commit);
    const updated = await guard("setCommitCertificate", () =>
      this.#db
        .update(blocks)
        .set({ commit })
        .where(eq(blocks.height, height))
        .returning({ height: blocks.height }),
    );
    if (updated.length === 0) throw invalidArgument(`no block at height ${height}`, { height });
  }

  async latestHeight(): Promise<number | null> {
    const [row] = await guard("latestHeight", () =>
      this.#db.select({ height: blocks.height }).from(blocks).orderBy(desc(blocks.height)).limit(1),
    );
    return row?.height ?? null;
  }

  async getBlock(height: number): Promise<StoredBlock | null> {
    requireInt8("height", height);
    return this.#oneBlock("getBlock", eq(blocks.height, height));
  }

  async getBlockByHash(hash: Uint8Array): Promise<StoredBlock | null> {
    requireBytes("hash", hash);
    return this.#oneBlock("getBlockByHash", eq(blocks.hash, hash));
  }

  async listBlocks(fromHeight: number, limit: number): Promise<StoredBlock[]> {
    requireInt8("fromHeight", fromHeight);
    requireLimit(limit);
    return guard("listBlocks", async () => {
      const rows = await this.#db
        .select()
        .from(blocks)
        .where(gte(blocks.height, fromHeight))
        .orderBy(asc(blocks.height))
        .limit(limit);
      const first = rows[0];
      const last = rows.at(-1);
      if (first === undefined || last === undefined) return [];
      const txRows = await this.#db
        .select()
        .from(transactions)
        .where(and(gte(transactions.height, first.height), lte(transactions.height, last.height)))
        .orderBy(asc(transactions.height), asc(transactions.index));
      const byHeight = new Map<number, StoredTx[]>();
      for (const tx of txRows) {
        const list = byHeight.get(tx.height);
        if (list === undefined) byHeight.set(tx.height, [toStoredTx(tx)]);
        else list.push(toStoredTx(tx));
      }
      return rows.map((row) => toStoredBlock(row, byHeight.get(row.height) ?? []));
    });
  }

  async getTx(hash: Uint8Array): Promise<TxRecord | null> {
    requireBytes("hash", hash);
    const [row] = await guard("getTx", () =>
      // The applied copy if there is one (refused replays share the id), else the earliest.
      this.#db
        .select()
        .from(transactions)
        .where(eq(transactions.hash, hash))
        .orderBy(sql`${transactions.resultCode} is not null`, transactions.height, transactions.index)
        .limit(1),
    );
    return row ?? null;
  }

  loadState(): Promise<StateSnapshot> {
    // One repeatable-read snapshot, so the height always matches the entries.
    return inTransaction(
      this.#db,
      "loadState",
      async (tx) => {
        const [meta] = await tx
          .select({ height: stateMeta.height })
          .from(stateMeta)
          .where(eq(stateMeta.id, 1));
        // Collation "C" orders by code point, so every node sees the same order whatever its locale.
        const entries = await tx
          .select({ key: stateEntries.key, value: stateEntries.value })
          .from(stateEntries)
          .orderBy(sql`${stateEntries.key} collate "C"`);
        return { height: meta?.height ?? null, entries };
      },
      { isolationLevel: "repeatable read", accessMode: "read only" },
    );
  }

  async getMeta(key: string): Promise<Uint8Array | null> {
    requireText("key", key);
    const [row] = await guard("getMeta", () =>
      this.#db.select({ value: chainMeta.value }).from(chainMeta).where(eq(chainMeta.key, key)),
    );
    return row?.value ?? null;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    requireText("key", key);
    requireBytes("value", value);
    await guard("setMeta", () =>
      this.#db
        .insert(chainMeta)
        .values({ key, value })
        .onConflictDoUpdate({ target: chainMeta.key, set: { value } }),
    );
  }

  queryReceipts(query: ReceiptQuery): Promise<ReceiptPage> {
    return queryReceipts(this.#db, query);
  }

  async datasetTxs(query: DatasetTxQuery): Promise<TimedTxRecord[]> {
    requireText("sender", query.sender);
    requireInt8("fromHeight", query.fromHeight);
    requireInt8("toHeight", query.toHeight);
    if (query.before !== undefined) {
      requireInt8("before.height", query.before.height);
      requireInt4("before.index", query.before.index);
    }
    requireLimit(query.limit);
    const t = transactions;
    return guard("datasetTxs", () =>
      this.#db
        .select({ ...getTableColumns(t), timeMs: blocks.timeMs })
        .from(t)
        .innerJoin(blocks, eq(blocks.height, t.height))
        .where(
          and(
            eq(t.sender, query.sender),
            // The predicate of transactions_dataset_txs_idx, word for word, so the planner uses that index.
            sql`kind in ('dataset.publish', 'dataset.commit') and result_code is null`,
            gte(t.height, query.fromHeight),
            lte(t.height, query.toHeight),
            query.before === undefined
              ? undefined
              : sql`(${t.height}, ${t.index}) < (${query.before.height}, ${query.before.index})`,
          ),
        )
        .orderBy(desc(t.height), desc(t.index))
        .limit(query.limit),
    );
  }

  #oneBlock(operation: string, where: SQL): Promise<StoredBlock | null> {
    return guard(operation, async () => {
      const [row] = await this.#db.select().from(blocks).where(where).limit(1);
      if (row === undefined) return null;
      const txRows = await this.#db
        .select()
        .from(transactions)
        .where(eq(transactions.height, row.height))
        .orderBy(asc(transactions.index));
      return toStoredBlock(row, txRows.map(toStoredTx));
    });
  }
}
