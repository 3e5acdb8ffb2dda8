import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifier } from "@coken/ledger";
import pg from "pg";
import { openStore, ReplayError, replayStoredChain, type Store, StoredLedger } from "../src/index.js";
import { ASKER, Driver, doubleVote, genesis, OWNER, publishAndGrant } from "./fixtures/ledger-driver.js";
import { createScratchDatabase, type ScratchDatabase } from "./fixtures/pg-admin.js";

describe("replaying a stored chain (PostgreSQL)", () => {
  let db: ScratchDatabase;
  let store: Store;
  let sql: pg.Client;

  before(async () => {
    db = await createScratchDatabase("coken_replay");
    store = await openStore({ kind: "postgres", url: db.url });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const d = new Driver(await StoredLedger.open(store, genesis(), createVerifier()));
    const grant = await publishAndGrant(d);
    for (let i = 0; i < 3; i++) {
      const record = d.tx(OWNER, 2 + i, "access.record", d.batch(d.receipts(grant, 5)));
      assert.deepEqual(await d.commit([record, new Uint8Array([0xff])]), [null, "MALFORMED_TX"]);
    }
    // A block carrying double-vote evidence: sync and replay must rebuild it with its evidence.
    assert.deepEqual(await d.commit([], [doubleVote(d, ASKER, 2)]), []);
    assert.equal(d.ledger.head.height, 5);
    assert.ok(ASKER);
  });

  after(async () => {
    await sql.end();
    await store.close();
    await db.drop();
  });

  async function refusedWith(code: string, tamper: string, restore: string): Promise<void> {
    await sql.query(tamper);
    try {
      await assert.rejects(replayStoredChain(store, genesis(), createVerifier()), (e: unknown) => {
        assert.ok(e instanceof ReplayError, String(e));
        assert.equal(e.code, code, e.message);
        return true;
      });
    } finally {
      await sql.query(restore);
    }
  }

  it("agrees with itself block by block and at the end", async () => {
    const heights: number[] = [];
    const report = await replayStoredChain(store, genesis(), createVerifier(), {
      onBlock: (h) => heights.push(h),
    });
    assert.deepEqual(heights, [1, 2, 3, 4, 5]);
    assert.equal(report.height, 5);
    assert.equal(report.receipts, 15);
  });

  it("finds a tampered transaction", () =>
    refusedWith(
      "BLOCK_REFUSED",
      "update transactions set raw = raw || '\\x00'::bytea where height = 3 and index = 1",
      "update transactions set raw = '\\xff'::bytea where height = 3 and index = 1",
    ));

  it("finds a rewritten tx result", () =>
    refusedWith(
      "RESULT_MISMATCH",
      "update transactions set result_code = null where height = 3 and index = 1",
      "update transactions set result_code = 'MALFORMED_TX' where height = 3 and index = 1",
    ));

  it("finds a tampered state entry", async () => {
    const { rows } = await sql.query(
      "select encode(value, 'hex') as v from state_entries where key = 'account/bj.housing'",
    );
    const original = rows[0].v as string;
    await refusedWith(
      "STATE_MISMATCH",
      "update state_entries set value = decode('a263736571006762616c616e63651903e8', 'hex') where key = 'account/bj.housing'",
      `update state_entries set value = decode('${original}', 'hex') where key = 'account/bj.housing'`,
    );
  });

  it("finds a rewritten app hash and a foreign genesis", async () => {
    const { rows } = await sql.query(
      "select encode(result_app_hash, 'hex') as v from blocks where height = 2",
    );
    const original = rows[0].v as string;
    await refusedWith(
      "APP_HASH_MISMATCH",
      `update blocks set result_app_hash = decode('${"00".repeat(32)}', 'hex') where height = 2`,
      `update blocks set result_app_hash = decode('${original}', 'hex') where height = 2`,
    );
    await assert.rejects(replayStoredChain(store, genesis("another-chain"), createVerifier()), ReplayError);
    assert.equal((await replayStoredChain(store, genesis(), createVerifier())).height, 5);
  });
});
