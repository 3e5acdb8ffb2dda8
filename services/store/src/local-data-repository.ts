import { localDatasetRows, localWellFormedEvidence } from "@coken/db-schema";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { chunk, type Db, guard, inTransaction } from "./db.js";
import { invalidArgument } from "./errors.js";
import type { LocalDataRepository } from "./repositories.js";
import type { LocalRow, LocalRowInput, LocalRowPage } from "./types.js";
import { ROWS_PER_STATEMENT, unnestRows } from "./unnest.js";
import { MAX_PAGE, requireBytes, requireInt8, requireLimit, requireText } from "./validate.js";

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

  #select() {
    return selectRows(this.#db);
  }
}
