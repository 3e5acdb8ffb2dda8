import assert from "node:assert/strict";
import { test } from "node:test";
import { ChainBuilder, digest, makeReceipt, utf8 } from "../fixtures/chain.js";
import { type CurrentStore, rejectsWith } from "./context.js";

export function ledgerWriteTests(store: CurrentStore): void {
  test("an empty store has no blocks, state or receipts", async () => {
    const { ledger } = store();
    assert.equal(await ledger.latestHeight(), null);
    assert.deepEqual(await ledger.loadState(), { height: null, entries: [] });
    assert.equal(await ledger.getBlock(0), null);
    assert.deepEqual(await ledger.listBlocks(0, 10), []);
    assert.deepEqual(await ledger.queryReceipts({ limit: 10 }), { receipts: [], next: null });
  });

  test("commitBlock round-trips blocks, txs, state writes and receipts", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const genesis = chain.next({ stateWrites: [{ key: "a", value: utf8("a0") }] });
    await ledger.commitBlock(genesis);
    const b1 = chain.next({
      txs: 3,
      stateWrites: [
        { key: "b", value: utf8("b1") },
        { key: "c", value: utf8("c1") },
        { key: "a", value: utf8("a1") },
      ],
      receipts: (h) => [makeReceipt(h, 0), makeReceipt(h, 1)],
    });
    await ledger.commitBlock(b1);
    const b2 = chain.next({
      txs: 1,
      stateWrites: [
        { key: "b", value: null },
        { key: "c", value: utf8("c-first") },
        { key: "c", value: utf8("c2") },
        { key: "never-existed", value: null },
      ],
    });
    await ledger.commitBlock(b2);

    assert.equal(await ledger.latestHeight(), 2);
    assert.deepEqual(await ledger.getBlock(1), b1.block);
    assert.deepEqual(await ledger.getBlockByHash(b2.block.hash), b2.block);
    assert.deepEqual(await ledger.listBlocks(0, 10), [genesis.block, b1.block, b2.block]);
    assert.deepEqual(await ledger.getTx(b1.block.txs[2]?.hash ?? new Uint8Array()), {
      ...b1.block.txs[2],
      height: 1,
    });
    assert.equal(await ledger.getTx(digest("missing")), null);
    assert.deepEqual(await ledger.loadState(), {
      height: 2,
      entries: [
        { key: "a", value: utf8("a1") },
        { key: "c", value: utf8("c2") },
      ],
    });
    const { receipts } = await ledger.queryReceipts({ limit: 10 });
    assert.deepEqual(receipts, b1.receipts);
  });

  test("the first block may have any height; later ones must follow it", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder(41, digest("snapshot"));
    await ledger.commitBlock(chain.next());
    await ledger.commitBlock(chain.next());
    assert.equal(await ledger.latestHeight(), 42);
    assert.equal((await ledger.loadState()).height, 42);
  });

  test("a height gap or a repeated height is a HEIGHT_CONFLICT and writes nothing", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const genesis = chain.next();
    await ledger.commitBlock(genesis);
    const gap = new ChainBuilder(2, genesis.block.hash).next({
      txs: 2,
      stateWrites: [{ key: "x", value: utf8("x") }],
      receipts: (h) => [makeReceipt(h, 0)],
    });
    const error = await rejectsWith(ledger.commitBlock(gap), "HEIGHT_CONFLICT");
    assert.deepEqual(error.detail, { expected: 1, height: 2 });
    await rejectsWith(ledger.commitBlock(new ChainBuilder(0, digest("other")).next()), "HEIGHT_CONFLICT");
    assert.equal(await ledger.latestHeight(), 0);
    assert.equal(await ledger.getTx(gap.block.txs[0]?.hash ?? new Uint8Array()), null);
    assert.deepEqual(await ledger.loadState(), { height: 0, entries: [] });
    assert.deepEqual((await ledger.queryReceipts({ limit: 10 })).receipts, []);
  });

  test("a block not linked to the latest hash is a PREV_HASH_MISMATCH and writes nothing", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    await ledger.commitBlock(chain.next());
    const forged = new ChainBuilder(1, digest("not the genesis hash")).next({
      txs: 1,
      stateWrites: [{ key: "x", value: utf8("x") }],
    });
    await rejectsWith(ledger.commitBlock(forged), "PREV_HASH_MISMATCH");
    assert.equal(await ledger.latestHeight(), 0);
    assert.deepEqual(await ledger.loadState(), { height: 0, entries: [] });
    await ledger.commitBlock(chain.next());
    assert.equal(await ledger.latestHeight(), 1);
  });

  test("a failing statement late in commitBlock rolls the whole block back", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    await ledger.commitBlock(chain.next({ stateWrites: [{ key: "kept", value: utf8("v0") }] }));
    // 2,500 receipts span two insert statements; the duplicate id sits in the second one.
    const bad = chain.peek({
      txs: 3,
      stateWrites: [
        { key: "kept", value: null },
        { key: "new", value: utf8("v1") },
      ],
      receipts: (h) => Array.from({ length: 2500 }, (_, i) => makeReceipt(h, i === 2400 ? 7 : i)),
    });
    const error = await rejectsWith(ledger.commitBlock(bad), "DATABASE");
    assert.equal(error.detail.code, "23505");
    assert.equal(await ledger.latestHeight(), 0);
    assert.equal(await ledger.getBlock(1), null);
    assert.equal(await ledger.getTx(bad.block.txs[0]?.hash ?? new Uint8Array()), null);
    assert.deepEqual(await ledger.loadState(), { height: 0, entries: [{ key: "kept", value: utf8("v0") }] });
    assert.deepEqual(await ledger.queryReceipts({ limit: 10 }), { receipts: [], next: null });

    const fixed = chain.next({
      txs: 3,
      receipts: (h) => Array.from({ length: 2500 }, (_, i) => makeReceipt(h, i)),
    });
    await ledger.commitBlock(fixed);
    assert.equal(await ledger.latestHeight(), 1);
  });

  test("concurrent commits of the same height: exactly one wins", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const genesis = chain.next();
    await ledger.commitBlock(genesis);
    const rivals = ["a", "b", "c", "d"].map((name) => {
      const commit = new ChainBuilder(1, genesis.block.hash).next({ txs: 2, header: utf8(name) });
      commit.block.hash = digest("rival", name);
      commit.block.txs = commit.block.txs.map((tx) => ({ ...tx, hash: digest("rival tx", name, tx.index) }));
      return commit;
    });
    const results = await Promise.allSettled(rivals.map((c) => ledger.commitBlock(c)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.equal(r.reason.code, "HEIGHT_CONFLICT");
    }
    assert.equal(await ledger.latestHeight(), 1);
    assert.equal((await ledger.getBlock(1))?.txs.length, 2);
  });

  test("a block with 10,000 receipts, 3,000 txs and 5,000 state writes commits in one piece", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const big = chain.next({
      txs: 3000,
      stateWrites: Array.from({ length: 5000 }, (_, i) => ({ key: `k/${i}`, value: utf8(String(i)) })),
      receipts: (h) =>
        Array.from({ length: 10_000 }, (_, i) => makeReceipt(h, i, { timeMs: 1000 + (i % 97) })),
    });
    await ledger.commitBlock(big);
    const stored = await ledger.getBlock(0);
    assert.equal(stored?.txs.length, 3000);
    assert.deepEqual(stored?.txs.at(-1), big.block.txs.at(-1));
    assert.equal((await ledger.loadState()).entries.length, 5000);
    let seen = 0;
    let after: string | undefined;
    do {
      const page = await ledger.queryReceipts({ limit: 1000, ...(after === undefined ? {} : { after }) });
      seen += page.receipts.length;
      after = page.next ?? undefined;
    } while (after !== undefined);
    assert.equal(seen, 10_000);
    // Deleting more keys than fit in one statement.
    await ledger.commitBlock(
      chain.next({ stateWrites: Array.from({ length: 5000 }, (_, i) => ({ key: `k/${i}`, value: null })) }),
    );
    assert.deepEqual(await ledger.loadState(), { height: 1, entries: [] });
  });
}
