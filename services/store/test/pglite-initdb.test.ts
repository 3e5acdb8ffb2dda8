import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../src/index.js";

test("a new PGlite folder is created by a child process: initdb's memory does not stay in this one", async () => {
  const dir = await mkdtemp(join(tmpdir(), "coken-initdb-"));
  try {
    const before = process.memoryUsage().external;
    const store = await openStore({ kind: "pglite", dataDir: join(dir, "db") });
    try {
      // initdb in this process leaves ~450 MiB of external memory (WebAssembly, the file bundle); opening an
      // existing folder ~150 MiB.
      const grew = process.memoryUsage().external - before;
      assert.ok(grew < 300 << 20, `external memory grew by ${grew >> 20} MiB`);
      assert.equal(await store.ledger.latestHeight(), null);
    } finally {
      await store.close();
    }
    assert.ok((await stat(join(dir, "db", "PG_VERSION"))).isFile());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a folder the child cannot create is a DATABASE error naming it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "coken-initdb-"));
  try {
    const file = join(dir, "file");
    await writeFile(file, "not a folder");
    await assert.rejects(openStore({ kind: "pglite", dataDir: join(file, "db") }), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "DATABASE");
      assert.match((e as Error).message, /creating the PGlite folder .*file\/db failed/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
