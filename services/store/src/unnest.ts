import { getTableColumns, type InferInsertModel, type SQL, type SQLWrapper, sql } from "drizzle-orm";
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
  const columns = unnestColumns(table, rows);
  return unnestOf(columns.map(([, column, values]) => [sql.param(values), column.getSQLType()]));
}

/**
 * `unnestRows` for a prepared statement: one placeholder per column (`<prefix><column key>`), filled by
 * `unnestValues` at each execution. The statement's text is built once and, on PostgreSQL, parsed and planned
 * once per connection.
 */
export function unnestPlaceholders<T extends PgTable>(table: T, prefix: string): SQL {
  return unnestOf(
    Object.entries(getTableColumns(table)).map(([key, column]) => [
      sql.placeholder(prefix + key),
      column.getSQLType(),
    ]),
  );
}

/** The placeholder values of `unnestPlaceholders(table, prefix)` for `rows`. */
export function unnestValues<T extends PgTable>(
  table: T,
  rows: readonly InferInsertModel<T>[],
  prefix: string,
): Record<string, unknown[]> {
  return Object.fromEntries(unnestColumns(table, rows).map(([key, , values]) => [prefix + key, values]));
}

/** Each column of `table` in insert order, with the driver values of `rows` for it. */
function unnestColumns<T extends PgTable>(table: T, rows: readonly InferInsertModel<T>[]) {
  return Object.entries(getTableColumns(table)).map(([key, column]) => {
    const values = rows.map((row) => {
      const value: unknown = Reflect.get(row, key);
      return value === undefined || value === null ? null : column.mapToDriverValue(value);
    });
    return [key, column, values] as const;
  });
}

function unnestOf(arrays: [SQLWrapper, string][]): SQL {
  const typed = arrays.map(([value, type]) => sql`${value}::${sql.raw(type)}[]`);
  return sql`select * from unnest(${sql.join(typed, sql`, `)})`;
}
