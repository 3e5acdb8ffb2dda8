import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { openStore, type Store } from "../src/index.js";
import { createScratchDatabase, type ScratchDatabase } from "./fixtures/pg-admin.js";

// Triggers record the `synchronous_commit` each receipt or call insert runs under, so the tests see what the
// commit of that statement waited for, and what the connection is left with afterwards (one connection:
// poolSize 1).
const PROBE = `
  create table commit_probe (seq serial primary key, setting text not null);
  create function probe_commit() returns trigger language plpgsql as $$
  begin
    insert into commit_probe (setting) values (current_setting('synchronous_commit'));
    return null;
  end $$;
  create trigger probe_commit after insert on gateway_issued_receipts
    for each statement execute function probe_commit();
  create trigger probe_commit after insert on gateway_calls
    for each statement execute function probe_commit();`;

let database: ScratchDatabase | undefined;
let store: Store | undefined;
let probe: pg.Client | undefined;

before(async () => {
  database = await createScratchDatabase("coken_test_commit");
  store = await openStore({ kind: "postgres", url: database.url, poolSize: 1 });
  probe = new pg.Client({ connectionString: database.url });
  await probe.connect();
  await probe.query(PROBE);
});

after(async () => {
  await probe?.end();
  await store?.close();
  await database?.drop();
});

const receipt = () => ({
  receipt: {
    id: randomBytes(32),
    requester: "bj.housing",
    grantId: "g1",
    timeMs: 1,
    receipt: randomBytes(40),
  },
  nonce: { requester: "bj.housing", nonce: randomBytes(16), expiresMs: 5_000 },
});

const call = () => ({
  receiptId: randomBytes(32),
  provider: "sh.land-registry",
  timeMs: 1,
  receipt: randomBytes(40),
});

async function settings(): Promise<string[]> {
  const { rows } = await (probe as pg.Client).query<{ setting: string }>(
    "select setting from commit_probe order by seq",
  );
  await (probe as pg.Client).query("truncate commit_probe");
  return rows.map((r) => r.setting);
}

test("an async receipt write runs without the flush wait in one statement; the next write waits again", async () => {
  const repo = store?.gateway;
  assert.ok(repo);
  await repo.addIssuedReceipts([receipt(), receipt()], { flush: false });
  await repo.addIssuedReceipts([receipt()]);
  await repo.addIssuedReceipts([receipt()], { flush: false });
  await repo.addIssuedReceipts([receipt()]);
  assert.deepEqual(await settings(), ["off", "on", "off", "on"]);
});

test("an async write larger than one statement runs in one transaction without the flush wait", async () => {
  const repo = store?.gateway;
  assert.ok(repo);
  await repo.addIssuedReceipts(
    Array.from({ length: 2_001 }, () => receipt()),
    { flush: false },
  );
  await repo.addIssuedReceipts([receipt()]);
  assert.deepEqual(await settings(), ["off", "off", "on"]);
});

test("the asker's call log written async: one statement without the flush wait, every call kept", async () => {
  const repo = store?.gateway;
  assert.ok(repo);
  const calls = [call(), call(), call()];
  await repo.recordCalls(calls.slice(0, 2), { flush: false });
  await repo.recordCalls(calls.slice(2));
  await repo.recordCalls(calls, { flush: false });
  assert.deepEqual(await settings(), ["off", "on", "off"]);
  const stored = await repo.getCalls(calls.map((c) => c.receiptId));
  assert.equal(stored.length, 3);
  await repo.recordCalls(
    Array.from({ length: 2_001 }, () => call()),
    { flush: false },
  );
  assert.deepEqual(await settings(), ["off", "off"]);
});

test("a bad call in an async group changes nothing", async () => {
  const repo = store?.gateway;
  assert.ok(repo);
  const good = call();
  await assert.rejects(
    repo.recordCalls([good, { ...call(), receipt: "not bytes" as unknown as Uint8Array }], { flush: false }),
    /receipt/,
  );
  assert.deepEqual(await repo.getCalls([good.receiptId]), []);
  assert.deepEqual(await settings(), []);
});
