import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { migrationsFolder } from "@coken/db-schema";
import { PGlite } from "@electric-sql/pglite";
import { readMigrationFiles } from "drizzle-orm/migrator";
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
import { PGLITE_START_PARAMS } from "./pglite-params.js";
import type { Store } from "./repositories.js";

export type StoreConfig =
  | {
      kind: "pglite";
      /** undefined keeps the database in memory. */
      dataDir?: string;
    }
  | { kind: "postgres"; url: string; poolSize?: number };

const DEFAULT_POOL_SIZE = 10;

export interface OpenOptions {
  /**
   * false opens only an existing Coken store, for tools that must not change what they inspect: a missing PGlite
   * folder, a folder or database without the Coken schema fail with NO_STORE (one whose schema lacks newer
   * migrations with SCHEMA_OUTDATED), and nothing is created or migrated. Default true.
   */
  create?: boolean;
}

type Query = (text: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** Checks, without changing anything, that the database holds the Coken schema with every migration applied. */
async function checkSchema(query: Query, where: string): Promise<void> {
  const [found] = (await query("select to_regclass('drizzle.__drizzle_migrations') is not null as present"))
    .rows;
  const last =
    found?.present === true
      ? (await query("select max(created_at) as last from drizzle.__drizzle_migrations")).rows[0]?.last
      : null;
  if (last === null || last === undefined)
    throw new StoreError("NO_STORE", `${where} holds no Coken store (no schema)`, { where });
  const wanted = Math.max(...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
  if (Number(last) < wanted)
    throw new StoreError(
      "SCHEMA_OUTDATED",
      `${where} has an older Coken schema: start its peer once with this version to migrate it`,
      { where },
    );
}

function makeStore(
  kind: Store["kind"],
  db: Db,
  release: () => Promise<void>,
  wasmMemoryBytes?: () => number,
): Store {
  let closing: Promise<void> | undefined;
  return {
    kind,
    ...(wasmMemoryBytes === undefined ? {} : { wasmMemoryBytes }),
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

/** PGlite's WebAssembly memory in bytes, read from its Emscripten module (not public API: 0 if it moves). */
function pgliteMemory(client: PGlite): () => number {
  return () => (client as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8?.length ?? 0;
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
    return makeStore("pglite", db, () => client.close(), pgliteMemory(client));
  } catch (error) {
    await client.close();
    throw error;
  }
}

export { PGLITE_START_PARAMS } from "./pglite-params.js";

const execFileAsync = promisify(execFile);

/**
 * Creates a PGlite data folder in a child process (pglite-initdb.ts): initdb would leave ~400 MiB resident in this
 * one. Failures are DATABASE errors naming the folder (the child's stderr is in `cause`).
 */
async function initdbInChild(dataDir: string): Promise<void> {
  const script = fileURLToPath(new URL("./pglite-initdb.js", import.meta.url));
  try {
    await execFileAsync(process.execPath, [script, dataDir], { maxBuffer: 1 << 20 });
  } catch (error) {
    throw new StoreError(
      "DATABASE",
      `creating the PGlite folder ${dataDir} failed`,
      { where: dataDir },
      {
        cause: error,
      },
    );
  }
}

/** A PGlite folder holds a Postgres cluster (PG_VERSION at its top); without one PGlite would initialise it. */
async function isPgliteFolder(dataDir: string): Promise<boolean> {
  try {
    return (await stat(dataDir)).isDirectory() && (await stat(join(dataDir, "PG_VERSION"))).isFile();
  } catch {
    return false;
  }
}

async function openPglite(dataDir: string | undefined, create: boolean): Promise<Store> {
  if (!create && dataDir === undefined)
    throw new StoreError("INVALID_ARGUMENT", "an in-memory store is always new: give a dataDir", {
      argument: "dataDir",
    });
  if (!create && dataDir !== undefined && !(await isPgliteFolder(dataDir)))
    throw new StoreError("NO_STORE", `${dataDir} is not a PGlite data folder`, { where: dataDir });
  if (create && dataDir !== undefined && !(await isPgliteFolder(dataDir))) await initdbInChild(dataDir);
  const startParams = [...PGLITE_START_PARAMS];
  const client = await guard("open", () =>
    PGlite.create(dataDir === undefined ? { startParams } : { dataDir, startParams }),
  );
  if (create) return openPgliteClient(client);
  try {
    await guard("open", () => checkSchema((text) => client.query(text), dataDir ?? "memory"));
    useNativeByteaCodec(client);
    return makeStore("pglite", drizzlePglite({ client }), () => client.close(), pgliteMemory(client));
  } catch (error) {
    await client.close();
    throw error;
  }
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

async function openPostgres(url: string, poolSize: number, create: boolean): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its connection is discarded by the pool; without a listener the
  // 'error' event would crash the process. The next query reconnects or fails as a DATABASE error.
  pool.on("error", () => {});
  try {
    if (create) await guard("migrate", () => migratePostgres(pool));
    else await guard("open", () => checkSchema((text) => pool.query(text), "the database"));
    return makeStore("postgres", drizzleNodePg({ client: pool }), () => pool.end());
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Opens the database and applies pending migrations (or, with `create: false`, only opens an existing store). */
export function openStore(config: StoreConfig, options: OpenOptions = {}): Promise<Store> {
  const create = options.create ?? true;
  if (config.kind === "pglite") return openPglite(config.dataDir, create);
  const poolSize = config.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    return Promise.reject(
      new StoreError("INVALID_ARGUMENT", "poolSize must be a positive integer", { argument: "poolSize" }),
    );
  }
  return openPostgres(config.url, poolSize, create);
}
