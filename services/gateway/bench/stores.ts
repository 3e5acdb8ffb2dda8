import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store, type StoreConfig } from "@coken/store";
import type { ReceiptCommit } from "../src/receipts/issuer.js";

export interface BenchBackend {
  name: string;
  /** How the provider commits receipts before answering (default "flush"). */
  receiptCommit?: ReceiptCommit;
  open(): Promise<[Store, Store]>;
  /** Where a provider running in a process of its own keeps its store (a peer's PGlite is on disk). */
  childStore(): StoreConfig;
  /** Drops what `open` and `childStore` created. */
  cleanup(): void;
}

/** Two in-memory PGlite stores (provider and asker); the provider in its own process keeps one on disk. */
export function pgliteBackend(): BenchBackend {
  const dirs: string[] = [];
  return {
    name: "PGlite (in memory; on disk in the provider's own process)",
    open: async () => [await openStore({ kind: "pglite" }), await openStore({ kind: "pglite" })],
    childStore: () => {
      const dataDir = mkdtempSync(join(tmpdir(), "coken-gwbench-"));
      dirs.push(dataDir);
      return { kind: "pglite", dataDir };
    },
    cleanup: () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * Two scratch databases on the PostgreSQL server at COKEN_BENCH_PG_URL (default: local, user postgres), made
 * with psql; null when psql or the server is not there.
 */
export function postgresBackend(receiptCommit: ReceiptCommit = "flush"): BenchBackend | null {
  const admin = process.env.COKEN_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const names = [0, 1, 2].map(() => `coken_gwbench_${randomBytes(4).toString("hex")}`);
  const psql = (sql: string) =>
    execFileSync("psql", [admin, "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: "pipe" });
  try {
    psql("select 1");
  } catch {
    return null;
  }
  const urlOf = (db: string) => {
    const u = new URL(admin);
    u.pathname = `/${db}`;
    return u.toString();
  };
  return {
    name: receiptCommit === "flush" ? "PostgreSQL (local server)" : "PostgreSQL, receipts committed async",
    receiptCommit,
    childStore: () => ({ kind: "postgres", url: urlOf(names[2] as string) }),
    open: async () => {
      for (const n of names) psql(`create database ${n}`);
      return [
        await openStore({ kind: "postgres", url: urlOf(names[0] as string) }),
        await openStore({ kind: "postgres", url: urlOf(names[1] as string) }),
      ];
    },
    cleanup: () => {
      for (const n of names) psql(`drop database if exists ${n}`);
    },
  };
}
