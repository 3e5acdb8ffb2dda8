import { accessReceipts, blocks, chainMeta, stateEntries, stateMeta, transactions } from "@coken/db-schema";
import { desc, eq, sql } from "drizzle-orm";
import { bytesEqual } from "./bytea.js";
import { chunk, type Db, inTransaction, Lock, lockForTransaction } from "./db.js";
import { invalidArgument, StoreError } from "./errors.js";
import type { BlockCommit, StateWrite, StoredBlock } from "./types.js";
import { ROWS_PER_STATEMENT, unnestRows } from "./unnest.js";
import { requireBytes, requireInt4, requireInt8, requireText } from "./validate.js";

function validateBlock(block: StoredBlock): void {
  requireInt8("block.height", block.height);
  requireInt8("block.timeMs", block.timeMs);
  for (const name of ["hash", "prevHash", "appHash", "resultAppHash", "header"] as const) {
    requireBytes(`block.${name}`, block[name]);
  }
  if (block.commit !== null) requireBytes("block.commit", block.commit);
  if (block.evidence !== null) requireBytes("block.evidence", block.evidence);
  for (const tx of block.txs) {
    requireInt4("tx.index", tx.index);
    requireInt8("tx.seq", tx.seq);
    requireBytes("tx.hash", tx.hash);
    requireBytes("tx.raw", tx.raw);
  }
}

/** chain_meta key of the validator set that decided the newest block (`BlockCommit.validators`). */
export const HEAD_VALIDATORS_KEY = "head.validators";

function validateCommit({ block, previousCommit, validators, stateWrites, receipts }: BlockCommit): void {
  validateBlock(block);
  if (previousCommit !== null) requireBytes("previousCommit", previousCommit);
  if (validators !== null) requireBytes("validators", validators);
  for (const write of stateWrites) {
    requireText("stateWrite.key", write.key);
    if (write.value !== null) requireBytes("stateWrite.value", write.value);
  }
  for (const receipt of receipts) {
    if (receipt.height !== block.height) {
      throw invalidArgument("receipt height differs from the block height", { height: block.height });
    }
    requireInt4("receipt.index", receipt.index);
    requireInt8("receipt.timeMs", receipt.timeMs);
  }
}

/** Collapses repeated keys (last write wins): one statement cannot upsert the same row twice. */
function finalWrites(writes: readonly StateWrite[]): StateWrite[] {
  const byKey = new Map<string, StateWrite>();
  for (const write of writes) byKey.set(write.key, write);
  return [...byKey.values()];
}

async function checkLinkage(tx: Db, block: StoredBlock): Promise<void> {
  const [latest] = await tx
    .select({ height: blocks.height, hash: blocks.hash })
    .from(blocks)
    .orderBy(desc(blocks.height))
    .limit(1);
  if (latest === undefined) return;
  if (block.height !== latest.height + 1) {
    throw new StoreError(
      "HEIGHT_CONFLICT",
      `expected block height ${latest.height + 1}, got ${block.height}`,
      {
        expected: latest.height + 1,
        height: block.height,
      },
    );
  }
  if (!bytesEqual(block.prevHash, latest.hash)) {
    throw new StoreError("PREV_HASH_MISMATCH", `block ${block.height} does not extend the stored chain`, {
      height: block.height,
    });
  }
}

async function writeState(tx: Db, height: number, writes: readonly StateWrite[]): Promise<void> {
  const upserts: { key: string; value: Uint8Array; height: number }[] = [];
  const deletes: string[] = [];
  for (const { key, value } of finalWrites(writes)) {
    if (value === null) deletes.push(key);
    else upserts.push({ key, value, height });
  }
  for (const rows of chunk(upserts, ROWS_PER_STATEMENT)) {
    await tx
      .insert(stateEntries)
      .select(unnestRows(stateEntries, rows))
      .onConflictDoUpdate({
        target: stateEntries.key,
        set: { value: sql`excluded.value`, height: sql`excluded.height` },
      });
  }
  for (const keys of chunk(deletes, ROWS_PER_STATEMENT)) {
    await tx.delete(stateEntries).where(sql`${stateEntries.key} = any(${sql.param(keys)}::text[])`);
  }
}

export async function commitBlock(db: Db, commit: BlockCommit): Promise<void> {
  validateCommit(commit);
  const { block, previousCommit, validators, stateWrites, receipts } = commit;
  await inTransaction(db, "commitBlock", async (tx) => {
    await lockForTransaction(tx, Lock.chain);
    await checkLinkage(tx, block);
    if (previousCommit !== null) {
      await tx
        .update(blocks)
        .set({ commit: previousCommit })
        .where(eq(blocks.height, block.height - 1));
    }
    if (validators !== null) {
      await tx
        .insert(chainMeta)
        .values({ key: HEAD_VALIDATORS_KEY, value: validators })
        .onConflictDoUpdate({ target: chainMeta.key, set: { value: validators } });
    }
    const { txs, ...header } = block;
    await tx.insert(blocks).values({ ...header, txCount: txs.length });
    for (const rows of chunk(txs, ROWS_PER_STATEMENT)) {
      await tx.insert(transactions).select(
        unnestRows(
          transactions,
          rows.map((t) => ({ ...t, height: block.height })),
        ),
      );
    }
    await writeState(tx, block.height, stateWrites);
    for (const rows of chunk(receipts, ROWS_PER_STATEMENT)) {
      await tx.insert(accessReceipts).select(unnestRows(accessReceipts, rows));
    }
    await tx
      .insert(stateMeta)
      .values({ id: 1, height: block.height })
      .onConflictDoUpdate({ target: stateMeta.id, set: { height: block.height } });
  });
}
