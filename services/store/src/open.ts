import { migrationsFolder } from "@coken/db-schema";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { DrizzleConsensusRepository } from "./consensus-repository.js";
import { type Db, guard, Lock } from "./db.js";
import { StoreError } from "./errors.js";
import { DrizzleGatewayRepository } from "./gateway-repository.js";
import { DrizzleLedgerRepository } from "./ledger-repository.js";
import { DrizzleLocalDataRepository } from "./local-data-repository.js";
import { useNativeByteaCodec } from "./pglite-bytea.js";
import type { Store } from "./repositories.js";

export type StoreConfig =
  | {
      kind: "pglite";
      /** undefined keeps the database in memory. */
      dataDir?: string;
    }
  | { kind: "postgres"; url: string; poolSize?: number };

const DEFAULT_POOL_SIZE = 10;

function makeStore(kind: Store["kind"], db: Db, release: () => Promise<void>): Store {
  let closing: Promise<void> | undefined;
  return {
    kind,
    ledger: new DrizzleLedgerRepository(db),
    consensus: new DrizzleConsensusRepository(db),
    localData: new DrizzleLocalDataRepository(db),
    gateway: new DrizzleGatewayRepository(db),
    close() {
      closing ??= guard("close", release);
      return closing;
    },
  };
}

/**
 * Migrates an already created PGlite instance and wraps it; the store then owns the instance and closes it.
 * Not re-exported from the package: tests use it to start from a cloned, pre-initialized image.
 */
export async function openPgliteClient(client: PGlite): Promise<Store> {
  try {
    useNativeByteaCodec(client);
    const db = drizzlePglite({ client });
    await guard("migrate", () => migratePglite(db, { migrationsFolder }));
    return makeStore("pglite", db, () => client.close());
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * PGlite's start parameters: its own defaults plus a 16 MiB buffer pool. initdb writes Postgres's 128 MiB default,
 * and PGlite's WebAssembly memory holds the whole pool from the start (it can grow, never shrink), which costs a
 * peer ~110 MiB of resident memory for caching what the OS page cache holds anyway. Cache size only: no
 * change to what is stored or when it is written. (Parameters given replace PGlite's defaults, so they are kept.)
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  "-c",
  "shared_buffers=16MB",
];

async function openPglite(dataDir: string | undefined): Promise<Store> {
  const startParams = [...PGLITE_START_PARAMS];
  const client = await guard("open", () =>
    PGlite.create(dataDir === undefined ? { startParams } : { dataDir, startParams }),
  );
  return openPgliteClient(client);
}

/**
 * Migrates on one dedicated connection holding a session advisory lock, so concurrent openers take turns.
 * The connection is closed afterwards rather than pooled, which also releases the lock.
 */
async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1::bigint)", [Lock.migrate.toString()]);
    await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder });
  } finally {
    client.release(true);
  }
}

async function openPostgres(url: string, poolSize: number): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its connection is discarded by the pool; without a listener the
  // 'error' event would crash the process. The next query reconnects or fails as a DATABASE error.
  pool.on("error", () => {});
  try {
    await guard("migrate", () => migratePostgres(pool));
    return makeStore("postgres", drizzleNodePg({ client: pool }), () => pool.end());
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Opens the database and applies pending migrations. */
export function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === "pglite") return openPglite(config.dataDir);
  const poolSize = config.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    return Promise.reject(
      new StoreError("INVALID_ARGUMENT", "poolSize must be a positive integer", { argument: "poolSize" }),
    );
  }
  return openPostgres(config.url, poolSize);
}
