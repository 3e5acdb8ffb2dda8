import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredTx } from "../../src/index.js";
import { ChainBuilder, makeTx } from "../fixtures/chain.js";
import { type CurrentStore, rejectsWith } from "./context.js";

const OWNER = "sh.land-registry";

/** Per block: (kind, sender, refused) of each tx, in index order. */
const BLOCKS: [string, string, boolean][][] = [
  [["dataset.publish", OWNER, false]],
  [
    ["access.record", OWNER, false],
    ["dataset.commit", OWNER, false],
    ["dataset.commit", "gz.tax", false],
  ],
  [["dataset.commit", OWNER, true]],
  [
    ["dataset.commit", OWNER, false],
    ["grant.issue", OWNER, false],
    ["dataset.publish", OWNER, false],
  ],
  [["access.record", OWNER, false]],
];

export function datasetTxTests(store: CurrentStore): void {
  test("datasetTxs: one sender's applied dataset txs in a height range, newest first, with block times", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder(1);
    for (const spec of BLOCKS) {
      const commit = chain.next({ txs: spec.length });
      commit.block.txs = spec.map(
        ([kind, sender, refused], i): StoredTx =>
          makeTx(commit.block.height, i, { kind, sender, resultCode: refused ? "FROZEN" : null }),
      );
      await ledger.commitBlock(commit);
    }
    const position = (t: { height: number; index: number }) => `${t.height}.${t.index}`;
    const all = await ledger.datasetTxs({ sender: OWNER, fromHeight: 0, toHeight: 100, limit: 10 });
    assert.deepEqual(all.map(position), ["4.2", "4.0", "2.1", "1.0"]);
    const newest = all[0];
    assert.ok(newest !== undefined);
    assert.equal(newest.kind, "dataset.publish");
    assert.equal(newest.timeMs, 1_700_000_000_000 + 4 * 1000, "the block's time");
    assert.deepEqual(newest.raw, makeTx(4, 2).raw);

    const paged = await ledger.datasetTxs({
      sender: OWNER,
      fromHeight: 0,
      toHeight: 100,
      before: { height: 4, index: 0 },
      limit: 1,
    });
    assert.deepEqual(paged.map(position), ["2.1"]);
    const ranged = await ledger.datasetTxs({ sender: OWNER, fromHeight: 2, toHeight: 3, limit: 10 });
    assert.deepEqual(ranged.map(position), ["2.1"]);
    assert.deepEqual(
      await ledger.datasetTxs({ sender: "bj.housing", fromHeight: 0, toHeight: 9, limit: 5 }),
      [],
    );
  });

  test("datasetTxs refuses bad arguments before touching the database", async () => {
    const { ledger } = store();
    const ok = { sender: OWNER, fromHeight: 0, toHeight: 5, limit: 10 };
    await rejectsWith(ledger.datasetTxs({ ...ok, sender: "" }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.datasetTxs({ ...ok, limit: 0 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.datasetTxs({ ...ok, fromHeight: -1 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.datasetTxs({ ...ok, before: { height: 1, index: 1.5 } }), "INVALID_ARGUMENT");
  });
}
