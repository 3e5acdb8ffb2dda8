import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openStore } from "../src/index.js";
import { createScratchDatabase } from "./fixtures/pg-admin.js";

const dir = mkdtempSync(join(tmpdir(), "coken-open-existing-"));

describe("openStore without create", () => {
  it("refuses a missing PGlite folder and does not create it", async () => {
    const missing = join(dir, "missing");
    await assert.rejects(openStore({ kind: "pglite", dataDir: missing }, { create: false }), {
      name: "StoreError",
      code: "NO_STORE",
    });
    assert.equal(existsSync(missing), false);
  });

  it("refuses a folder that holds no database and leaves it empty", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    await assert.rejects(openStore({ kind: "pglite", dataDir: empty }, { create: false }), {
      code: "NO_STORE",
    });
    assert.deepEqual(readdirSync(empty), []);
  });

  it("refuses a PGlite database without the schema and applies no migration", async () => {
    const bare = join(dir, "bare");
    await (await PGlite.create({ dataDir: bare })).close();
    await assert.rejects(openStore({ kind: "pglite", dataDir: bare }, { create: false }), {
      code: "NO_STORE",
    });
    const db = await PGlite.create({ dataDir: bare });
    try {
      const { rows } = await db.query<{ n: number }>(
        "select count(*)::int as n from pg_tables where schemaname in ('public', 'drizzle')",
      );
      assert.equal(rows[0]?.n, 0);
    } finally {
      await db.close();
    }
  });

  it("opens a store that exists, refuses one missing a migration, and refuses an in-memory one", async () => {
    const real = join(dir, "real");
    await (await openStore({ kind: "pglite", dataDir: real })).close();
    const store = await openStore({ kind: "pglite", dataDir: real }, { create: false });
    try {
      assert.equal(await store.ledger.latestHeight(), null);
    } finally {
      await store.close();
    }
    const db = await PGlite.create({ dataDir: real });
    await db.query(
      "delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)",
    );
    await db.close();
    await assert.rejects(openStore({ kind: "pglite", dataDir: real }, { create: false }), {
      code: "SCHEMA_OUTDATED",
    });
    await assert.rejects(openStore({ kind: "pglite" }, { create: false }), { code: "INVALID_ARGUMENT" });
  });

  it("refuses a PostgreSQL database without the schema and creates no table in it", async () => {
    const fresh = await createScratchDatabase("coken_test_nocreate");
    try {
      await assert.rejects(openStore({ kind: "postgres", url: fresh.url }, { create: false }), {
        code: "NO_STORE",
      });
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          "select count(*)::int as n from pg_tables where schemaname in ('public', 'drizzle')",
        );
        assert.equal(rows[0]?.n, 0);
      } finally {
        await client.end();
      }
    } finally {
      await fresh.drop();
    }
  });
});
