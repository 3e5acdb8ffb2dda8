import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type AccessReceipt, createVerifier } from "@coken/ledger";
import { openStore, type Store, type StoreConfig, StoredLedger, StoreError } from "../src/index.js";
import { ASKER, Driver, genesis, OWNER, publishAndGrant } from "./fixtures/ledger-driver.js";
import { createScratchDatabase } from "./fixtures/pg-admin.js";

function runChainSuite(label: string, config: () => Promise<StoreConfig>) {
  describe(`stored ledger on ${label}`, () => {
    it("persists every block, resumes at the same app hash and still refuses duplicate receipts", async () => {
      const cfg = await config();
      let store: Store = await openStore(cfg);
      let d = new Driver(await StoredLedger.open(store, genesis(), createVerifier()));
      assert.equal(d.ledger.head.height, 0);
      const grant = await publishAndGrant(d);
      const first = d.receipts(grant, 3);
      const record = d.tx(OWNER, 2, "access.record", d.batch(first));
      assert.deepEqual(await d.commit([record]), [null]);
      // A refused replay and two identical undecodable txs share ids with other rows; all are kept.
      const garbage = new Uint8Array([0xff]);
      assert.deepEqual(await d.commit([record, garbage, garbage]), [
        "BAD_SEQUENCE",
        "MALFORMED_TX",
        "MALFORMED_TX",
      ]);
      const head = d.ledger.head;
      await store.close();

      store = await openStore(cfg);
      try {
        d = new Driver(await StoredLedger.open(store, genesis(), createVerifier()));
        d.time = head.time;
        assert.equal(d.ledger.head.height, 3);
        assert.deepEqual(d.ledger.head.appHash, head.appHash);
        const again = d.tx(OWNER, 3, "access.record", d.batch([first[0] as AccessReceipt]));
        assert.deepEqual(await d.commit([again]), ["DUPLICATE_RECEIPT"]);
        const fresh = d.tx(OWNER, 3, "access.record", d.batch(d.receipts(grant, 1)));
        assert.deepEqual(await d.commit([fresh]), [null]);
        const page = await store.ledger.queryReceipts({ requester: ASKER, limit: 100 });
        assert.equal(page.receipts.length, 4);
        const block3 = await store.ledger.getBlock(3);
        assert.deepEqual(
          block3?.txs.map((t) => t.resultCode),
          ["BAD_SEQUENCE", "MALFORMED_TX", "MALFORMED_TX"],
        );
        const applied = await store.ledger.getTx(block3?.txs[0]?.hash as Uint8Array);
        assert.equal(applied?.height, 2);
        assert.equal(applied?.resultCode, null);
        await assert.rejects(
          StoredLedger.open(store, genesis("another-chain"), createVerifier()),
          StoreError,
        );
      } finally {
        await store.close();
      }
    });
  });
}

const dirs: string[] = [];
const databases: { drop(): Promise<void> }[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const db of databases) await db.drop();
});

runChainSuite("PGlite", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "coken-chain-"));
  dirs.push(dataDir);
  return { kind: "pglite", dataDir };
});

runChainSuite("PostgreSQL", async () => {
  const db = await createScratchDatabase("coken_chain");
  databases.push(db);
  return { kind: "postgres", url: db.url };
});
