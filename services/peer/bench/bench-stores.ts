/**
 * The stores the benchmark's validators and limit workers run on: PGlite folders in the temp dir, or one
 * PostgreSQL database each on a server (created with psql, dropped at the end).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { StoreConfig } from "@coken/store";

export type StoreKind = "pglite" | "postgres";

export const STORE_LABEL: Record<StoreKind, string> = { pglite: "PGlite", postgres: "PostgreSQL" };

/** The server the PostgreSQL runs use; its user may create and drop databases. */
export const PG_URL = process.env.COKEN_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The store kinds to run, in order (COKEN_BENCH_STORES, comma-separated; both by default). */
export function storeKinds(): StoreKind[] {
  const kinds = (process.env.COKEN_BENCH_STORES ?? "pglite,postgres").split(",").map((k) => k.trim());
  for (const k of kinds)
    if (k !== "pglite" && k !== "postgres")
      throw new Error(`COKEN_BENCH_STORES: ${k} is neither pglite nor postgres`);
  return kinds as StoreKind[];
}

function psql(sql: string): void {
  const r = spawnSync("psql", [PG_URL, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  if (r.error !== undefined) throw new Error(`psql could not run (${r.error.message}); is it installed?`);
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr.trim()}`);
}

/** `PG_URL` with another database. */
function databaseUrl(name: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const created = new Set<BenchStores>();

/** Drops the databases of every BenchStores not yet cleaned up (on Ctrl-C). */
export function dropAllStores(): void {
  for (const s of created) s.dropAll();
}

/** Creates stores of one kind under unique names and removes them all at the end. */
export class BenchStores {
  private readonly databases: string[] = [];

  constructor(
    readonly kind: StoreKind,
    private readonly dir: string,
  ) {}

  /** A fresh store for `name` (letters, digits, dashes): its `store` config, as a peer config or openStore takes it. */
  create(name: string): StoreConfig {
    if (this.kind === "pglite") {
      // PGlite creates its folder, not the folders above it.
      mkdirSync(join(this.dir, name), { recursive: true });
      return { kind: "pglite", dataDir: join(this.dir, name, "db") };
    }
    const db = `coken_bench_${process.pid}_${name.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`;
    psql(`drop database if exists "${db}" with (force)`);
    psql(`create database "${db}"`);
    this.databases.push(db);
    created.add(this);
    return { kind: "postgres", url: databaseUrl(db) };
  }

  /** Drops every database this created (PGlite folders go with the temp dir). */
  dropAll(): void {
    created.delete(this);
    for (const db of this.databases.splice(0)) {
      try {
        psql(`drop database if exists "${db}" with (force)`);
      } catch {
        // Best effort: a database left behind is named after this process and can be dropped by hand.
      }
    }
  }
}
