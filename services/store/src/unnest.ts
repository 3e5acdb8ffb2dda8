import { getTableColumns, type InferInsertModel, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/** Rows per multi-row insert: bounds the size of one statement and of its array parameters. */
export const ROWS_PER_STATEMENT = 2_000;

/**
 * `select * from unnest($1::type1[], $2::type2[], …)` yielding `rows` in the table's insert column order, for
 * `tx.insert(table).select(…)`. One array parameter per column instead of one per value: PostgreSQL's limit of
 * 65,535 bind parameters stops mattering, and drizzle no longer spends several times longer building a
 * 26,000-parameter VALUES list than the database needs to insert it (see bench/).
 * Every column must be given (a missing value becomes NULL, not the column default), and the table must have no
 * generated columns.
 */
export function unnestRows<T extends PgTable>(table: T, rows: readonly InferInsertModel<T>[]): SQL {
  const arrays = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const values = rows.map((row) => {
      const value: unknown = Reflect.get(row, key);
      return value === undefined || value === null ? null : column.mapToDriverValue(value);
    });
    return sql`${sql.param(values)}::${sql.raw(column.getSQLType())}[]`;
  });
  return sql`select * from unnest(${sql.join(arrays, sql`, `)})`;
}
