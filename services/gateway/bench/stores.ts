import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openStore, type Store } from "@coken/store";
import type { ReceiptCommit } from "../src/receipts/issuer.js";

export interface BenchBackend {
  name: string;
  /** How the provider commits receipts before answering (default "flush"). */
  receiptCommit?: ReceiptCommit;
  open(): Promise<[Store, Store]>;
  /** Drops what `open` created. */
  cleanup(): void;
}

/** Two in-memory PGlite stores (provider and asker). */
export const pgliteBackend: BenchBackend = {
  name: "PGlite (in memory)",
  open: async () => [await openStore({ kind: "pglite" }), await openStore({ kind: "pglite" })],
  cleanup: () => {},
};

/**
 * Two scratch databases on the PostgreSQL server at COKEN_BENCH_PG_URL (default: local, user postgres), made
 * with psql; null when psql or the server is not there.
 */
export function postgresBackend(receiptCommit: ReceiptCommit = "flush"): BenchBackend | null {
  const admin = process.env.COKEN_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const names = [0, 1].map(() => `coken_gwbench_${randomBytes(4).toString("hex")}`);
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
