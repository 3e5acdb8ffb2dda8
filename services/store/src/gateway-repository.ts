import {
  gatewayReceiptBatches as batches,
  gatewayCalls,
  gatewayNonces,
  gatewayThresholdCounts,
  gatewayIssuedReceipts as issued,
} from "@coken/db-schema";
import { and, asc, eq, gte, inArray, lt, lte, ne, type SQL, sql, type WithSubquery } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { chunk, type Db, guard, inTransaction } from "./db.js";
import type {
  GatewayRepository,
  IssuedReceiptInput,
  IssuedReceiptState,
  IssuedReceiptStatus,
  NonceRecord,
  ReceiptBatchPatch,
  ReceiptBatchStatus,
  StoredCall,
  StoredReceiptBatch,
} from "./gateway-types.js";
import { ROWS_PER_STATEMENT, unnestPlaceholders, unnestRows, unnestValues } from "./unnest.js";
import { requireBytes, requireInt8, requireLimit, requireText } from "./validate.js";

interface Prepared {
  execute(values: Record<string, unknown>): Promise<unknown>;
}

const batchColumns = {
  id: batches.id,
  requester: batches.requester,
  count: batches.count,
  status: batches.status,
  requesterSig: batches.requesterSig,
  providerSig: batches.providerSig,
  txHash: batches.txHash,
  attempts: batches.attempts,
  nextAttemptMs: batches.nextAttemptMs,
  createdMs: batches.createdMs,
};

export class DrizzleGatewayRepository implements GatewayRepository {
  readonly #db: Db;
  readonly #statements = new Map<string, Prepared>();

  constructor(db: Db) {
    this.#db = db;
  }

  async takeThresholdQuery(grant: string, dataset: string, recordKey: string, cap: number): Promise<boolean> {
    requireText("grant", grant);
    requireText("dataset", dataset);
    requireText("recordKey", recordKey);
    requireInt8("cap", cap);
    if (cap < 1) return false;
    const t = gatewayThresholdCounts;
    const rows = await guard("takeThresholdQuery", () =>
      this.#db
        .insert(t)
        .values({ grantId: grant, dataset, recordKey, used: 1 })
        .onConflictDoUpdate({
          target: [t.grantId, t.dataset, t.recordKey],
          set: { used: sql`${t.used} + 1` },
          setWhere: lt(t.used, cap),
        })
        .returning({ used: t.used }),
    );
    return rows.length === 1;
  }

  async claimNonce(requester: string, nonce: Uint8Array, expiresMs: number): Promise<boolean> {
    requireText("requester", requester);
    requireBytes("nonce", nonce);
    requireInt8("expiresMs", expiresMs);
    const rows = await guard("claimNonce", () =>
      this.#db
        .insert(gatewayNonces)
        .values({ requester, nonce, expiresMs })
        .onConflictDoNothing()
        .returning({ requester: gatewayNonces.requester }),
    );
    return rows.length === 1;
  }

  async pruneNonces(nowMs: number): Promise<number> {
    requireInt8("nowMs", nowMs);
    const rows = await guard("pruneNonces", () =>
      this.#db
        .delete(gatewayNonces)
        .where(lt(gatewayNonces.expiresMs, nowMs))
        .returning({ r: gatewayNonces.requester }),
    );
    return rows.length;
  }

  async liveNonces(nowMs: number): Promise<NonceRecord[]> {
    requireInt8("nowMs", nowMs);
    return guard("liveNonces", () =>
      this.#db
        .select({
          requester: gatewayNonces.requester,
          nonce: gatewayNonces.nonce,
          expiresMs: gatewayNonces.expiresMs,
        })
        .from(gatewayNonces)
        .where(gte(gatewayNonces.expiresMs, nowMs)),
    );
  }

  addIssuedReceipt(receipt: IssuedReceiptInput, nonce?: NonceRecord): Promise<void> {
    return this.addIssuedReceipts([nonce === undefined ? { receipt } : { receipt, nonce }]);
  }

  /**
   * One statement when the group fits in one (a data-modifying CTE inserts the nonces and the receipts together,
   * atomically, in a single round trip and commit); a transaction over several statements otherwise.
   */
  async addIssuedReceipts(
    entries: { receipt: IssuedReceiptInput; nonce?: NonceRecord }[],
    options: { flush?: boolean } = {},
  ): Promise<void> {
    if (entries.length === 0) return;
    const nonces: NonceRecord[] = [];
    const rows = entries.map(({ receipt: r, nonce }) => {
      requireBytes("id", r.id);
      requireText("requester", r.requester);
      requireText("grantId", r.grantId);
      requireInt8("timeMs", r.timeMs);
      if (nonce !== undefined) {
        requireText("nonce.requester", nonce.requester);
        requireBytes("nonce.nonce", nonce.nonce);
        requireInt8("nonce.expiresMs", nonce.expiresMs);
        nonces.push(nonce);
      }
      return {
        id: r.id,
        requester: r.requester,
        grantId: r.grantId,
        timeMs: r.timeMs,
        receipt: r.receipt,
        status: "pending",
        proof: r.proof ?? null,
      };
    });
    if (rows.length <= ROWS_PER_STATEMENT) {
      const write = this.#receiptWrite(nonces.length > 0, options.flush === false);
      await guard("addIssuedReceipts", () =>
        write.execute({
          ...unnestValues(gatewayNonces, nonces, "n_"),
          ...unnestValues(issued, rows, "r_"),
        }),
      );
      return;
    }
    await this.#transaction("addIssuedReceipts", options.flush === false, async (tx) => {
      for (const batch of chunk(nonces, ROWS_PER_STATEMENT))
        await tx.insert(gatewayNonces).select(unnestRows(gatewayNonces, batch)).onConflictDoNothing();
      for (const batch of chunk(rows, ROWS_PER_STATEMENT))
        await tx.insert(issued).select(unnestRows(issued, batch));
    });
  }

  /**
   * The prepared single-statement write of `addIssuedReceipts`: a data-modifying CTE inserts the nonces with the
   * receipts, atomically, in one round trip and commit.
   */
  #receiptWrite(withNonces: boolean, noSync: boolean) {
    const name = `coken_issued_receipts_${withNonces ? "nonces_" : ""}${noSync ? "async" : "flush"}`;
    return this.#prepared(name, () => {
      const claimed = () =>
        this.#db
          .$with("claimed", {})
          .as(
            this.#db
              .insert(gatewayNonces)
              .select(unnestPlaceholders(gatewayNonces, "n_"))
              .onConflictDoNothing()
              .getSQL(),
          );
      return this.#insertSelect(
        issued,
        unnestPlaceholders(issued, "r_"),
        noSync,
        withNonces ? [claimed()] : [],
      );
    });
  }

  /** A transaction over several statements; with `noSync` its commit does not wait for the WAL flush. */
  #transaction(operation: string, noSync: boolean, fn: (tx: Db) => Promise<void>): Promise<void> {
    return inTransaction(this.#db, operation, async (tx) => {
      if (noSync) await tx.execute(sql`set local synchronous_commit to off`);
      await fn(tx);
    });
  }

  /**
   * `insert into table select …` after `ctes`. With `noSync` the statement turns off the wait for the WAL flush
   * for its own implicit transaction: `set_config(…, true)` lasts until that transaction ends, after its commit
   * record is written, and the insert reads that CTE so that it runs first.
   */
  #insertSelect<T extends PgTable>(table: T, source: SQL, noSync: boolean, ctes: WithSubquery[]) {
    const db = this.#db;
    const nosync = () => db.$with("nosync", {}).as(sql`select set_config('synchronous_commit', 'off', true)`);
    return db
      .with(...(noSync ? [nosync()] : []), ...ctes)
      .insert(table)
      .select(noSync ? sql`${source} where exists (select from nosync)` : source);
  }

  /** The statement `name`, built and prepared on first use: its text is built once. */
  #prepared(name: string, build: () => { prepare(name: string): Prepared }): Prepared {
    let statement = this.#statements.get(name);
    if (statement === undefined) {
      statement = build().prepare(name);
      this.#statements.set(name, statement);
    }
    return statement;
  }

  async issuedReceipt(id: Uint8Array): Promise<IssuedReceiptState | null> {
    requireBytes("id", id);
    const [row] = await guard("issuedReceipt", () =>
      this.#db
        .select({
          id: issued.id,
          requester: issued.requester,
          status: issued.status,
          batchId: issued.batchId,
          committedHeight: issued.committedHeight,
        })
        .from(issued)
        .where(eq(issued.id, id)),
    );
    return row === undefined ? null : { ...row, status: row.status as IssuedReceiptStatus };
  }

  async issuedProof(id: Uint8Array): Promise<string | null> {
    requireBytes("id", id);
    const [row] = await guard("issuedProof", () =>
      this.#db.select({ proof: issued.proof }).from(issued).where(eq(issued.id, id)),
    );
    return row?.proof ?? null;
  }

  async pendingReceipts(requester: string, limit: number) {
    requireText("requester", requester);
    requireLimit(limit);
    return guard("pendingReceipts", () =>
      this.#db
        .select({ id: issued.id, receipt: issued.receipt })
        .from(issued)
        .where(and(eq(issued.status, "pending"), eq(issued.requester, requester)))
        .orderBy(asc(issued.timeMs), asc(issued.id))
        .limit(limit),
    );
  }

  async pendingRequesters(): Promise<string[]> {
    const rows = await guard("pendingRequesters", () =>
      this.#db
        .selectDistinct({ requester: issued.requester })
        .from(issued)
        .where(eq(issued.status, "pending"))
        .orderBy(asc(issued.requester)),
    );
    return rows.map((r) => r.requester);
  }

  async outstandingByGrant() {
    return guard("outstandingByGrant", () =>
      this.#db
        .select({ grantId: issued.grantId, count: sql<number>`count(*)::int` })
        .from(issued)
        .where(and(ne(issued.status, "committed"), ne(issued.status, "disputed")))
        .groupBy(issued.grantId),
    );
  }

  async createBatch(
    batch: Pick<StoredReceiptBatch, "id" | "requester" | "createdMs" | "nextAttemptMs">,
    receiptIds: Uint8Array[],
  ): Promise<void> {
    requireBytes("id", batch.id);
    requireText("requester", batch.requester);
    requireInt8("createdMs", batch.createdMs);
    requireInt8("nextAttemptMs", batch.nextAttemptMs);
    await inTransaction(this.#db, "createBatch", async (tx) => {
      await tx.insert(batches).values({
        id: batch.id,
        requester: batch.requester,
        count: receiptIds.length,
        status: "cosigning",
        attempts: 0,
        nextAttemptMs: batch.nextAttemptMs,
        createdMs: batch.createdMs,
      });
      for (const [position, id] of receiptIds.entries()) {
        const moved = await tx
          .update(issued)
          .set({ status: "batched", batchId: batch.id, position })
          .where(and(eq(issued.id, id), eq(issued.status, "pending"), eq(issued.requester, batch.requester)))
          .returning({ id: issued.id });
        // Rolls the whole batch back: a receipt already batched or unknown must not be signed twice.
        if (moved.length !== 1) throw new Error("receipt is not pending for this requester");
      }
    });
  }

  async dueBatches(status: ReceiptBatchStatus, nowMs: number, limit: number): Promise<StoredReceiptBatch[]> {
    requireInt8("nowMs", nowMs);
    requireLimit(limit);
    const rows = await guard("dueBatches", () =>
      this.#db
        .select(batchColumns)
        .from(batches)
        .where(and(eq(batches.status, status), lte(batches.nextAttemptMs, nowMs)))
        .orderBy(asc(batches.createdMs), asc(batches.id))
        .limit(limit),
    );
    return rows.map((r) => ({ ...r, status: r.status as ReceiptBatchStatus }));
  }

  async batchReceipts(batchId: Uint8Array): Promise<Uint8Array[]> {
    requireBytes("batchId", batchId);
    const rows = await guard("batchReceipts", () =>
      this.#db
        .select({ receipt: issued.receipt })
        .from(issued)
        .where(eq(issued.batchId, batchId))
        .orderBy(asc(issued.position)),
    );
    return rows.map((r) => r.receipt);
  }

  async updateBatch(id: Uint8Array, patch: ReceiptBatchPatch): Promise<void> {
    requireBytes("id", id);
    if (Object.keys(patch).length === 0) return;
    await guard("updateBatch", () => this.#db.update(batches).set(patch).where(eq(batches.id, id)));
  }

  async commitBatch(id: Uint8Array, height: number): Promise<void> {
    requireBytes("id", id);
    requireInt8("height", height);
    await inTransaction(this.#db, "commitBatch", async (tx) => {
      await tx.update(batches).set({ status: "committed" }).where(eq(batches.id, id));
      await tx
        .update(issued)
        .set({ status: "committed", committedHeight: height })
        .where(eq(issued.batchId, id));
    });
  }

  async dissolveBatch(id: Uint8Array, disputed: Uint8Array[]): Promise<void> {
    requireBytes("id", id);
    await inTransaction(this.#db, "dissolveBatch", async (tx) => {
      await tx
        .update(issued)
        .set({ status: "pending", batchId: null, position: null })
        .where(eq(issued.batchId, id));
      if (disputed.length > 0)
        await tx.update(issued).set({ status: "disputed" }).where(inArray(issued.id, disputed));
      await tx.delete(batches).where(eq(batches.id, id));
    });
  }

  recordCall(call: Omit<StoredCall, "cosigned">): Promise<void> {
    return this.recordCalls([call]);
  }

  /**
   * One prepared statement (its own transaction) when the calls fit in one; a transaction over several
   * otherwise. `flush: false` as for `addIssuedReceipts`.
   */
  async recordCalls(calls: Omit<StoredCall, "cosigned">[], options: { flush?: boolean } = {}): Promise<void> {
    if (calls.length === 0) return;
    const rows = calls.map((c) => {
      requireBytes("receiptId", c.receiptId);
      requireText("provider", c.provider);
      requireInt8("timeMs", c.timeMs);
      requireBytes("receipt", c.receipt);
      return { ...c, cosigned: 0 };
    });
    const noSync = options.flush === false;
    if (rows.length <= ROWS_PER_STATEMENT) {
      const write = this.#prepared(`coken_record_calls_${noSync ? "async" : "flush"}`, () =>
        this.#insertSelect(
          gatewayCalls,
          unnestPlaceholders(gatewayCalls, "c_"),
          noSync,
          [],
        ).onConflictDoNothing(),
      );
      await guard("recordCalls", () => write.execute(unnestValues(gatewayCalls, rows, "c_")));
      return;
    }
    await this.#transaction("recordCalls", noSync, async (tx) => {
      for (const batch of chunk(rows, ROWS_PER_STATEMENT))
        await tx.insert(gatewayCalls).select(unnestRows(gatewayCalls, batch)).onConflictDoNothing();
    });
  }

  async getCalls(receiptIds: Uint8Array[]): Promise<StoredCall[]> {
    if (receiptIds.length === 0) return [];
    const rows = await guard("getCalls", () =>
      this.#db.select().from(gatewayCalls).where(inArray(gatewayCalls.receiptId, receiptIds)),
    );
    return rows.map((r) => ({ ...r, cosigned: r.cosigned !== 0 }));
  }

  async markCosigned(receiptIds: Uint8Array[]): Promise<void> {
    if (receiptIds.length === 0) return;
    await guard("markCosigned", () =>
      this.#db.update(gatewayCalls).set({ cosigned: 1 }).where(inArray(gatewayCalls.receiptId, receiptIds)),
    );
  }
}
