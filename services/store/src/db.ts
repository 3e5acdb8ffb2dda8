import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransactionConfig } from "drizzle-orm/pg-core";
import { toStoreError } from "./errors.js";

/** The drizzle API shared by PGlite and node-postgres; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Advisory lock keys. They serialize check-then-write sequences (and migrations) across processes sharing one
 * database, including the very first write, when there is no row yet to lock with FOR UPDATE.
 */
export const Lock = {
  chain: 0x636f6b656e01n,
  signState: 0x636f6b656e02n,
  migrate: 0x636f6b656e03n,
} as const;

export async function lockForTransaction(tx: Db, key: bigint): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${key.toString()}::bigint)`);
}

/** Runs `fn` and converts whatever the driver throws into a StoreError. */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}

export function inTransaction<T>(
  db: Db,
  operation: string,
  fn: (tx: Db) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  return guard(operation, () => db.transaction(fn, config));
}
