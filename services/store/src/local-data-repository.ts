import { localDatasetRows, localWellFormedChunks, localWellFormedEvidence } from "@coken/db-schema";
import { and, asc, eq, gt, ne, sql } from "drizzle-orm";
import { chunk, type Db, guard, inTransaction } from "./db.js";
import { invalidArgument } from "./errors.js";
import type { LocalDataRepository } from "./repositories.js";
import type {
  LocalRow,
  LocalRowInput,
  LocalRowPage,
  StoredWellFormedChunk,
  WellFormedChunkValue,
} from "./types.js";
import { ROWS_PER_STATEMENT, unnestRows } from "./unnest.js";
import { MAX_PAGE, requireBytes, requireInt4, requireInt8, requireLimit, requireText } from "./validate.js";

function requireJsonObject(fields: Record<string, unknown>): void {
  let json: string | undefined;
  try {
    json =
      typeof fields === "object" && fields !== null && !Array.isArray(fields)
        ? JSON.stringify(fields)
        : undefined;
  } catch {
    json = undefined;
  }
  if (json === undefined)
    throw invalidArgument("fields must be a JSON-serializable object", { argument: "fields" });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A chunk proof's JSON: an array of strings as public signals and an object as proof, JSON-serializable. */
function requireChunkValue(value: WellFormedChunkValue): void {
  let ok = false;
  try {
    ok =
      isObject(value) &&
      Array.isArray(value.publicSignals) &&
      value.publicSignals.every((s) => typeof s === "string") &&
      isObject(value.proof) &&
      JSON.stringify(value.proof) !== undefined;
  } catch {
    ok = false;
  }
  if (!ok)
    throw invalidArgument("value must be { publicSignals: string[], proof: object }, JSON-serializable", {
      argument: "value",
    });
}

function selectRows(db: Db) {
  const t = localDatasetRows;
  return db.select({ key: t.rowKey, fields: t.fields, updatedMs: t.updatedMs }).from(t);
}

/**
 * The row reads of answering calls, prepared once: their text is built once and, on PostgreSQL, parsed and
 * planned once per connection.
 */
function prepareRowReads(db: Db) {
  const t = localDatasetRows;
  const dataset = eq(t.dataset, sql.placeholder("dataset"));
  return {
    one: selectRows(db)
      .where(and(dataset, eq(t.rowKey, sql.placeholder("key"))))
      .limit(1)
      .prepare("coken_local_row"),
    many: selectRows(db)
      .where(and(dataset, sql`${t.rowKey} = any(${sql.placeholder("keys")}::text[])`))
      .prepare("coken_local_rows"),
  };
}

export class DrizzleLocalDataRepository implements LocalDataRepository {
  readonly #db: Db;
  readonly #reads: ReturnType<typeof prepareRowReads>;

  constructor(db: Db) {
    this.#db = db;
    this.#reads = prepareRowReads(db);
  }

  async upsertRows(dataset: string, rows: LocalRowInput[], nowMs: number): Promise<void> {
    requireText("dataset", dataset);
    requireInt8("nowMs", nowMs);
    // One statement cannot upsert the same key twice; the last occurrence wins, as if applied in order.
    const byKey = new Map<string, LocalRowInput>();
    for (const row of rows) {
      requireText("row.key", row.key);
      requireJsonObject(row.fields);
      byKey.set(row.key, row);
    }
    const values = [...byKey.values()].map(({ key, fields }) => ({
      dataset,
      rowKey: key,
      fields,
      updatedMs: nowMs,
    }));
    await inTransaction(this.#db, "upsertRows", async (tx) => {
      for (const batch of chunk(values, ROWS_PER_STATEMENT)) {
        await tx
          .insert(localDatasetRows)
          .select(unnestRows(localDatasetRows, batch))
          .onConflictDoUpdate({
            target: [localDatasetRows.dataset, localDatasetRows.rowKey],
            set: { fields: sql`excluded.fields`, updatedMs: sql`excluded.updated_ms` },
          });
      }
    });
  }

  async getRow(dataset: string, key: string): Promise<LocalRow | null> {
    requireText("dataset", dataset);
    requireText("key", key);
    const [row] = await guard("getRow", () => this.#reads.one.execute({ dataset, key }));
    return row ?? null;
  }

  async getRows(dataset: string, keys: string[]): Promise<LocalRow[]> {
    requireText("dataset", dataset);
    if (keys.length < 1 || keys.length > MAX_PAGE)
      throw invalidArgument(`keys must hold 1..${MAX_PAGE} keys`, { argument: "keys" });
    for (const key of keys) requireText("key", key);
    return guard("getRows", () => this.#reads.many.execute({ dataset, keys }));
  }

  async listRows(dataset: string, page: { after?: string; limit: number }): Promise<LocalRowPage> {
    requireText("dataset", dataset);
    requireLimit(page.limit);
    const t = localDatasetRows;
    const where = and(
      eq(t.dataset, dataset),
      page.after === undefined ? undefined : gt(t.rowKey, page.after),
    );
    const rows = await guard("listRows", () =>
      this.#select()
        .where(where)
        .orderBy(asc(t.rowKey))
        .limit(page.limit + 1),
    );
    const result = rows.slice(0, page.limit);
    const last = result.at(-1);
    return { rows: result, next: rows.length > page.limit && last !== undefined ? last.key : null };
  }

  async countRows(dataset: string): Promise<number> {
    requireText("dataset", dataset);
    return guard("countRows", () => this.#db.$count(localDatasetRows, eq(localDatasetRows.dataset, dataset)));
  }

  async deleteRow(dataset: string, key: string): Promise<boolean> {
    requireText("dataset", dataset);
    requireText("key", key);
    const deleted = await guard("deleteRow", () =>
      this.#db
        .delete(localDatasetRows)
        .where(and(eq(localDatasetRows.dataset, dataset), eq(localDatasetRows.rowKey, key)))
        .returning({ key: localDatasetRows.rowKey }),
    );
    return deleted.length > 0;
  }

  async putWellFormedEvidence(
    dataset: string,
    root: Uint8Array,
    evidence: unknown,
    nowMs: number,
  ): Promise<void> {
    requireText("dataset", dataset);
    requireBytes("root", root);
    requireInt8("nowMs", nowMs);
    if (typeof evidence !== "object" || evidence === null)
      throw invalidArgument("evidence must be a JSON object", { argument: "evidence" });
    const t = localWellFormedEvidence;
    await guard("putWellFormedEvidence", () =>
      this.#db
        .insert(t)
        .values({ dataset, root, evidence, createdMs: nowMs })
        .onConflictDoUpdate({
          target: [t.dataset, t.root],
          set: { evidence: sql`excluded.evidence`, createdMs: sql`excluded.created_ms` },
        }),
    );
  }

  async getWellFormedEvidence(dataset: string, root: Uint8Array): Promise<unknown | null> {
    requireText("dataset", dataset);
    requireBytes("root", root);
    const t = localWellFormedEvidence;
    const [row] = await guard("getWellFormedEvidence", () =>
      this.#db
        .select({ evidence: t.evidence })
        .from(t)
        .where(and(eq(t.dataset, dataset), eq(t.root, root)))
        .limit(1),
    );
    return row?.evidence ?? null;
  }

  async putWellFormedChunk(
    dataset: string,
    root: Uint8Array,
    circuit: string,
    verifyingKeyHash: string,
    chunk: number,
    value: WellFormedChunkValue,
    nowMs: number,
  ): Promise<void> {
    requireText("dataset", dataset);
    requireBytes("root", root);
    requireText("circuit", circuit);
    requireText("verifyingKeyHash", verifyingKeyHash);
    requireInt4("chunk", chunk);
    requireChunkValue(value);
    requireInt8("nowMs", nowMs);
    const t = localWellFormedChunks;
    await guard("putWellFormedChunk", () =>
      this.#db
        .insert(t)
        .values({ dataset, root, circuit, verifyingKeyHash, chunk, value, createdMs: nowMs })
        .onConflictDoUpdate({
          target: [t.dataset, t.root, t.circuit, t.verifyingKeyHash, t.chunk],
          set: { value: sql`excluded.value`, createdMs: sql`excluded.created_ms` },
        }),
    );
  }

  async listWellFormedChunks(
    dataset: string,
    root: Uint8Array,
    circuit: string,
    verifyingKeyHash: string,
  ): Promise<StoredWellFormedChunk[]> {
    requireText("dataset", dataset);
    requireBytes("root", root);
    requireText("circuit", circuit);
    requireText("verifyingKeyHash", verifyingKeyHash);
    const t = localWellFormedChunks;
    const of = and(
      eq(t.dataset, dataset),
      eq(t.root, root),
      eq(t.circuit, circuit),
      eq(t.verifyingKeyHash, verifyingKeyHash),
    );
    const out: StoredWellFormedChunk[] = [];
    // A page per statement: tens of thousands of chunks never come back in one result.
    for (let after = -1; ; ) {
      const page = await guard("listWellFormedChunks", () =>
        this.#db
          .select({ chunk: t.chunk, value: t.value, createdMs: t.createdMs })
          .from(t)
          .where(and(of, gt(t.chunk, after)))
          .orderBy(asc(t.chunk))
          .limit(MAX_PAGE),
      );
      for (const row of page) out.push({ ...row, value: row.value as WellFormedChunkValue });
      const last = page.at(-1);
      if (page.length < MAX_PAGE || last === undefined) return out;
      after = last.chunk;
    }
  }

  async deleteWellFormedChunks(dataset: string, exceptRoot?: Uint8Array): Promise<number> {
    requireText("dataset", dataset);
    if (exceptRoot !== undefined) requireBytes("exceptRoot", exceptRoot);
    const t = localWellFormedChunks;
    const deleted = await guard("deleteWellFormedChunks", () =>
      this.#db
        .delete(t)
        .where(and(eq(t.dataset, dataset), exceptRoot === undefined ? undefined : ne(t.root, exceptRoot)))
        .returning({ chunk: t.chunk }),
    );
    return deleted.length;
  }

  #select() {
    return selectRows(this.#db);
  }
}
