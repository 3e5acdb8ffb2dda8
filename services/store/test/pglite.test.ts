import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { openStore } from "../src/index.js";
import { openPgliteClient, PGLITE_START_PARAMS } from "../src/open.js";
import { ChainBuilder, makeReceipt, utf8 } from "./fixtures/chain.js";
import { runRepositorySuite } from "./repository.suite.js";

// Creating an in-memory PGlite runs initdb (about 2 s here); cloning one migrated image keeps each test fresh
// without paying that every time. openStore itself is exercised by the tests at the end of this file.
let image: File | Blob | undefined;

before(async () => {
  const template = await PGlite.create({ startParams: [...PGLITE_START_PARAMS] });
  const store = await openPgliteClient(template);
  image = await template.dumpDataDir("none");
  await store.close();
});

runRepositorySuite("pglite in memory", async () => {
  if (image === undefined) throw new Error("the PGlite image was not prepared (see the before hook)");
  return openPgliteClient(await PGlite.create({ loadDataDir: image, startParams: [...PGLITE_START_PARAMS] }));
});

test("an on-disk PGlite store keeps its data across close and reopen", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "coken-store-"));
  try {
    const chain = new ChainBuilder();
    const first = await openStore({ kind: "pglite", dataDir });
    try {
      for (let i = 0; i < 3; i++) {
        await first.ledger.commitBlock(
          chain.next({
            txs: 2,
            stateWrites: [{ key: `k${i}`, value: utf8(String(i)) }],
            receipts: (h) => [makeReceipt(h, 0)],
          }),
        );
      }
      await first.ledger.setMeta("chain_id", utf8("coken-disk"));
      await first.consensus.appendWal({ height: 3, round: 0, kind: "proposal", payload: utf8("p") });
      await first.consensus.setSignState({ height: 3, round: 0, step: 1, signBytes: utf8("s") });
      await first.localData.upsertRows("d", [{ key: "r", fields: { v: 1 } }], 5);
    } finally {
      await first.close();
    }

    // Reopening runs the migrator again; it must find nothing to do.
    const second = await openStore({ kind: "pglite", dataDir });
    try {
      assert.equal(await second.ledger.latestHeight(), 2);
      assert.equal((await second.ledger.getBlock(1))?.txs.length, 2);
      assert.deepEqual(await second.ledger.getMeta("chain_id"), utf8("coken-disk"));
      assert.equal((await second.ledger.loadState()).entries.length, 3);
      assert.equal((await second.ledger.queryReceipts({ limit: 10 })).receipts.length, 3);
      assert.equal((await second.consensus.readWal(3)).length, 1);
      assert.deepEqual(await second.consensus.getSignState(), {
        height: 3,
        round: 0,
        step: 1,
        signBytes: utf8("s"),
      });
      assert.equal(await second.localData.countRows("d"), 1);
      await second.ledger.commitBlock(chain.next());
      assert.equal(await second.ledger.latestHeight(), 3);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("openStore gives an empty, migrated in-memory database", async () => {
  const store = await openStore({ kind: "pglite" });
  try {
    assert.equal(await store.ledger.latestHeight(), null);
    assert.equal(await store.consensus.getSignState(), null);
    // Its WebAssembly memory is reported (at least PGlite's initial 128 MiB), whole 64 KiB pages.
    const wasm = store.wasmMemoryBytes?.() ?? 0;
    assert.ok(wasm >= 128 << 20, String(wasm));
    assert.equal(wasm % (64 << 10), 0);
  } finally {
    await store.close();
  }
});

test("close is idempotent and later calls fail as DATABASE errors", async () => {
  const store = await openStore({ kind: "pglite" });
  await Promise.all([store.close(), store.close()]);
  await store.close();
  await assert.rejects(store.ledger.latestHeight(), { name: "StoreError", code: "DATABASE" });
});

test("PGlite starts with Coken's parameters: a 16 MiB buffer pool, PGlite's own defaults kept", async () => {
  const client = await PGlite.create({ startParams: [...PGLITE_START_PARAMS] });
  try {
    const { rows } = await client.query<{ shared_buffers: string }>("show shared_buffers");
    assert.equal(rows[0]?.shared_buffers, "16MB");
    const fsync = await client.query<{ fsync: string }>("show fsync");
    assert.equal(fsync.rows[0]?.fsync, "off", "PGlite's defaults (-F) still apply");
  } finally {
    await client.close();
  }
});
