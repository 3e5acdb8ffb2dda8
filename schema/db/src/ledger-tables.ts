import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { bytea, epochMs, int8 } from "./columns.js";

/** Chain-wide facts such as the chain id and the genesis document bytes. */
export const chainMeta = pgTable("chain_meta", {
  key: text("key").primaryKey(),
  value: bytea("value").notNull(),
});

export const blocks = pgTable("blocks", {
  height: int8("height").primaryKey(),
  hash: bytea("hash").notNull().unique(),
  prevHash: bytea("prev_hash").notNull(),
  timeMs: epochMs("time_ms").notNull(),
  proposer: text("proposer").notNull(),
  /** As carried in the header: the state root after the previous block. */
  appHash: bytea("app_hash").notNull(),
  /** The state root after applying this block. */
  resultAppHash: bytea("result_app_hash").notNull(),
  txCount: integer("tx_count").notNull(),
  /** Canonical header bytes. */
  header: bytea("header").notNull(),
  /** Canonical commit-certificate bytes; arrives after the block itself. */
  commit: bytea("commit"),
  /** Canonical CBOR array of the block's evidence items; null when it has none. */
  evidence: bytea("evidence"),
});

export const transactions = pgTable(
  "transactions",
  {
    /** Tx id; not unique, since a block may carry a refused replay of an earlier tx. */
    hash: bytea("hash").notNull(),
    height: int8("height")
      .notNull()
      .references(() => blocks.height),
    index: integer("index").notNull(),
    kind: text("kind").notNull(),
    sender: text("sender").notNull(),
    seq: int8("seq").notNull(),
    /** null means the transaction was applied. */
    resultCode: text("result_code"),
    raw: bytea("raw").notNull(),
  },
  (t) => [
    primaryKey({ name: "transactions_pkey", columns: [t.height, t.index] }),
    index("transactions_hash_idx").on(t.hash),
    index("transactions_sender_seq_idx").on(t.sender, t.seq),
    // A dataset's commitment history: its owner's applied dataset transactions, few beside the access records.
    index("transactions_dataset_txs_idx")
      .on(t.sender, t.height, t.index)
      .where(sql`kind in ('dataset.publish', 'dataset.commit') and result_code is null`),
  ],
);

/** Current committed state, one row per key. */
export const stateEntries = pgTable("state_entries", {
  key: text("key").primaryKey(),
  value: bytea("value").notNull(),
  /** Height of the block that last wrote this key. */
  height: int8("height").notNull(),
});

/** Singleton: the height the rows of state_entries correspond to. */
export const stateMeta = pgTable(
  "state_meta",
  {
    id: integer("id").primaryKey(),
    height: int8("height").notNull(),
  },
  (t) => [check("state_meta_singleton", sql`${t.id} = 1`)],
);

export const accessReceipts = pgTable(
  "access_receipts",
  {
    id: bytea("id").primaryKey(),
    height: int8("height")
      .notNull()
      .references(() => blocks.height),
    txHash: bytea("tx_hash").notNull(),
    index: integer("index").notNull(),
    provider: text("provider").notNull(),
    requester: text("requester").notNull(),
    dataset: text("dataset").notNull(),
    grantId: text("grant_id").notNull(),
    timeMs: epochMs("time_ms").notNull(),
    requestHash: bytea("request_hash").notNull(),
    resultHash: bytea("result_hash").notNull(),
    proofHash: bytea("proof_hash").notNull(),
    nonce: bytea("nonce").notNull(),
  },
  (t) => [
    index("access_receipts_provider_time_idx").on(t.provider, t.timeMs),
    index("access_receipts_requester_time_idx").on(t.requester, t.timeMs),
    index("access_receipts_dataset_time_idx").on(t.dataset, t.timeMs),
    index("access_receipts_grant_idx").on(t.grantId),
    // Serves unfiltered time-range queries in their keyset order.
    index("access_receipts_time_id_idx").on(t.timeMs, t.id),
  ],
);
