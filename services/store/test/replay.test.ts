import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createVerifier,
  decodeCommitCertificate,
  encodeCommitCertificate,
  fromHex,
  toHex,
} from "@coken/ledger";
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

  async function refusedWith(code: string, tamper: string, restore: string, detail = ""): Promise<void> {
    await sql.query(tamper);
    try {
      await assert.rejects(replayStoredChain(store, genesis(), createVerifier()), (e: unknown) => {
        assert.ok(e instanceof ReplayError, String(e));
        assert.equal(e.code, code, e.message);
        assert.ok(e.message.includes(detail), e.message);
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
    assert.equal(report.verifiedHeight, 5);
    assert.equal(report.receipts, 15);
  });

  it("verifies the newest block only with its seen commit, and refuses a bad one", async () => {
    const { rows } = await sql.query("select encode(commit, 'hex') as c from blocks where height = 5");
    const seen = rows[0].c as string;
    await sql.query("update blocks set commit = null where height = 5");
    try {
      const report = await replayStoredChain(store, genesis(), createVerifier());
      assert.deepEqual([report.height, report.verifiedHeight], [5, 4]);
    } finally {
      await sql.query(`update blocks set commit = decode('${seen}', 'hex') where height = 5`);
    }
    // Signatures in another order: the same signers, a second encoding, refused.
    const cert = decodeCommitCertificate(fromHex(seen) as Uint8Array);
    const reordered = toHex(encodeCommitCertificate({ ...cert, signatures: [...cert.signatures].reverse() }));
    await refusedWith(
      "BAD_SEEN_COMMIT",
      `update blocks set commit = decode('${reordered}', 'hex') where height = 5`,
      `update blocks set commit = decode('${seen}', 'hex') where height = 5`,
    );
  });

  it("finds a stored certificate other than the one the next block binds", async () => {
    const { rows } = await sql.query("select encode(commit, 'hex') as c from blocks where height = 3");
    const bound = rows[0].c as string;
    const cert = decodeCommitCertificate(fromHex(bound) as Uint8Array);
    const stripped = toHex(encodeCommitCertificate({ ...cert, signatures: cert.signatures.slice(1) }));
    await refusedWith(
      "BLOCK_REFUSED",
      `update blocks set commit = decode('${stripped}', 'hex') where height = 3`,
      `update blocks set commit = decode('${bound}', 'hex') where height = 3`,
      "WRONG_LAST_COMMIT_HASH",
    );
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
