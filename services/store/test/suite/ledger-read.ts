import assert from "node:assert/strict";
import { test } from "node:test";
import { ChainBuilder, digest, makeReceipt, utf8 } from "../fixtures/chain.js";
import { type CurrentStore, rejectsWith } from "./context.js";

export function ledgerReadTests(store: CurrentStore): void {
  test("listBlocks pages through the chain with txs in index order", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder(10);
    const commits = Array.from({ length: 7 }, (_, i) => chain.next({ txs: i % 3 }));
    for (const c of commits) await ledger.commitBlock(c);
    assert.deepEqual(
      await ledger.listBlocks(12, 3),
      commits.slice(2, 5).map((c) => c.block),
    );
    assert.deepEqual(
      await ledger.listBlocks(0, 1000),
      commits.map((c) => c.block),
    );
    assert.deepEqual(await ledger.listBlocks(17, 5), []);
  });

  test("setCommitCertificate attaches the certificate to a stored block only", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const genesis = chain.next({ txs: 1 });
    await ledger.commitBlock(genesis);
    await ledger.setCommitCertificate(0, utf8("certificate v1"));
    await ledger.setCommitCertificate(0, utf8("certificate v2"));
    assert.deepEqual(await ledger.getBlock(0), { ...genesis.block, commit: utf8("certificate v2") });
    await rejectsWith(ledger.setCommitCertificate(1, utf8("x")), "INVALID_ARGUMENT");
  });

  test("loadState orders keys by code point whatever the database collation", async () => {
    const { ledger } = store();
    const keys = ["b", "B", "a/2", "a/10", "é", "Z", "a"];
    await ledger.commitBlock(
      new ChainBuilder().next({ stateWrites: keys.map((key) => ({ key, value: utf8(key) })) }),
    );
    const sorted = [...keys].sort();
    assert.deepEqual(
      (await ledger.loadState()).entries.map((e) => e.key),
      sorted,
    );
  });

  test("chain meta values are stored and replaced by key", async () => {
    const { ledger } = store();
    assert.equal(await ledger.getMeta("chain_id"), null);
    await ledger.setMeta("chain_id", utf8("coken-test"));
    await ledger.setMeta("genesis", new Uint8Array([0, 255, 1]));
    await ledger.setMeta("chain_id", utf8("coken-test-2"));
    assert.deepEqual(await ledger.getMeta("chain_id"), utf8("coken-test-2"));
    assert.deepEqual(await ledger.getMeta("genesis"), new Uint8Array([0, 255, 1]));
  });

  test("invalid ledger arguments are rejected before touching the database", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    await rejectsWith(ledger.getBlock(1.5), "INVALID_ARGUMENT");
    await rejectsWith(ledger.getBlock(-1), "INVALID_ARGUMENT");
    await rejectsWith(ledger.getBlock(Number.NaN), "INVALID_ARGUMENT");
    await rejectsWith(ledger.listBlocks(0, 0), "INVALID_ARGUMENT");
    await rejectsWith(ledger.listBlocks(0, 1001), "INVALID_ARGUMENT");
    await rejectsWith(ledger.setCommitCertificate(2 ** 53, utf8("x")), "INVALID_ARGUMENT");
    await rejectsWith(ledger.getMeta(""), "INVALID_ARGUMENT");

    const wrongHeight = chain.peek({ receipts: (h) => [makeReceipt(h + 1, 0)] });
    await rejectsWith(ledger.commitBlock(wrongHeight), "INVALID_ARGUMENT");
    const fractional = chain.peek();
    fractional.block.timeMs = 1.25;
    await rejectsWith(ledger.commitBlock(fractional), "INVALID_ARGUMENT");
    const badIndex = chain.peek({ txs: 1 });
    badIndex.block.txs = badIndex.block.txs.map((tx) => ({ ...tx, index: -1 }));
    await rejectsWith(ledger.commitBlock(badIndex), "INVALID_ARGUMENT");
    const emptyKey = chain.peek({ stateWrites: [{ key: "", value: utf8("x") }] });
    await rejectsWith(ledger.commitBlock(emptyKey), "INVALID_ARGUMENT");
    const duplicateTxIndex = chain.peek({ txs: 2 });
    duplicateTxIndex.block.txs = duplicateTxIndex.block.txs.map((tx) => ({ ...tx, index: 0 }));
    await rejectsWith(ledger.commitBlock(duplicateTxIndex), "DATABASE");

    await rejectsWith(ledger.queryReceipts({ limit: 0 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.queryReceipts({ limit: 1001 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.queryReceipts({ limit: 2.5 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.queryReceipts({ limit: 10, fromMs: 5, toMs: 4 }), "INVALID_ARGUMENT");
    await rejectsWith(ledger.queryReceipts({ limit: 10, fromMs: -1 }), "INVALID_ARGUMENT");
    for (const after of ["not a cursor", "", Buffer.from('[1,"zz"]').toString("base64url"), "W10"]) {
      await rejectsWith(ledger.queryReceipts({ limit: 10, after }), "INVALID_ARGUMENT");
    }
    assert.equal(await ledger.latestHeight(), null);
    assert.equal(await ledger.getBlockByHash(digest("nothing")), null);
  });
}
