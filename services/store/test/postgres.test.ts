import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openStore } from "../src/index.js";
import { runCrashCycles } from "./fixtures/crash-check.js";
import { createScratchDatabase, type ScratchDatabase } from "./fixtures/pg-admin.js";
import { runRepositorySuite } from "./repository.suite.js";

let database: ScratchDatabase | undefined;

function scratch(): ScratchDatabase {
  if (database === undefined) throw new Error("the scratch database was not created (see the before hook)");
  return database;
}

before(async () => {
  database = await createScratchDatabase("coken_test");
});

after(async () => {
  await database?.drop();
});

runRepositorySuite("postgres", async () => {
  const store = await openStore({ kind: "postgres", url: scratch().url, poolSize: 4 });
  await scratch().truncate();
  return store;
});

test("concurrent openers of a new database take turns migrating", async () => {
  const fresh = await createScratchDatabase("coken_test_open");
  try {
    const opened = await Promise.allSettled(
      [1, 2, 3].map(() => openStore({ kind: "postgres", url: fresh.url })),
    );
    const stores = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    try {
      assert.equal(stores.length, 3, "every opener succeeds");
      assert.deepEqual(await Promise.all(stores.map((s) => s.ledger.latestHeight())), [null, null, null]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  } finally {
    await fresh.drop();
  }
});

test("an unreachable server fails to open with a DATABASE error", async () => {
  await assert.rejects(openStore({ kind: "postgres", url: "postgres://postgres@127.0.0.1:1/none" }), {
    name: "StoreError",
    code: "DATABASE",
  });
});

test("a writer killed with SIGKILL at any moment leaves only whole blocks behind", {
  timeout: 120_000,
}, async (t) => {
  await scratch().truncate();
  await runCrashCycles(scratch().url, 3, (message) => t.diagnostic(message));
});
