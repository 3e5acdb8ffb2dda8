import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVerifier, type TxBody } from "@coken/ledger";
import { createCachingVerifier, Mempool } from "../src/index.js";
import { newLedger, signerOf, T0, transfer } from "./fixtures.js";

const OWNER = "sh.land-registry";

describe("mempool", () => {
  it("admits consecutive sequence numbers and refuses gaps, replays, duplicates and garbage with reasons", () => {
    const ledger = newLedger();
    const pool = new Mempool(ledger, createVerifier(), undefined, () => T0 + 1000);
    const t0 = transfer(ledger, OWNER, 0);
    assert.equal(pool.add(t0).ok, true);
    assert.equal(pool.add(transfer(ledger, OWNER, 1)).ok, true);
    assert.deepEqual(pool.add(t0), { ok: false, reason: "DUPLICATE" });
    assert.deepEqual(pool.add(transfer(ledger, OWNER, 5)), { ok: false, reason: "BAD_SEQUENCE" });
    assert.deepEqual(pool.add(new Uint8Array([1, 2, 3])), { ok: false, reason: "MALFORMED_TX" });
    assert.deepEqual(pool.add(transfer(ledger, OWNER, 2, 5000n)), {
      ok: false,
      reason: "INSUFFICIENT_BALANCE",
    });
    assert.equal(pool.size, 2);
    assert.equal(pool.rejected.get("DUPLICATE"), 1);
    assert.equal(pool.rejected.get("BAD_SEQUENCE"), 1);
  });

  it("is bounded by count, bytes and per-sender limits", () => {
    const ledger = newLedger();
    const pool = new Mempool(
      ledger,
      createVerifier(),
      { maxTxs: 3, maxBytes: 1 << 20, maxPerSender: 2 },
      () => T0 + 1000,
    );
    assert.equal(pool.add(transfer(ledger, OWNER, 0)).ok, true);
    assert.equal(pool.add(transfer(ledger, OWNER, 1)).ok, true);
    assert.deepEqual(pool.add(transfer(ledger, OWNER, 2)), { ok: false, reason: "SENDER_LIMIT" });
    assert.equal(pool.add(transfer(ledger, "gz.tax", 0)).ok, true);
    assert.deepEqual(pool.add(transfer(ledger, "gz.tax", 1)), { ok: false, reason: "FULL" });
    const tiny = new Mempool(
      ledger,
      createVerifier(),
      { maxTxs: 10, maxBytes: 100, maxPerSender: 10 },
      () => T0 + 1000,
    );
    assert.deepEqual(tiny.add(transfer(ledger, OWNER, 0)), { ok: false, reason: "FULL" });
  });

  it("refuses a tx larger than a block can hold, whatever the pool holds", () => {
    const ledger = newLedger();
    const t0 = transfer(ledger, OWNER, 0);
    const pool = new Mempool(
      ledger,
      createVerifier(),
      { maxTxs: 10, maxBytes: 1 << 20, maxPerSender: 10, maxTxBytes: t0.length - 1 },
      () => T0 + 1000,
    );
    assert.deepEqual(pool.add(t0), { ok: false, reason: "OVER_BLOCK_LIMIT" });
    assert.equal(pool.size, 0);
  });

  it("holds a backlog of maxBacklogBlocks proposal budgets, and keeps what it admitted when the budget shrinks", () => {
    const ledger = newLedger();
    const txs = [0, 1, 2, 3].map((seq) => transfer(ledger, OWNER, seq));
    const one = txs[0]?.length ?? 0;
    const pool = new Mempool(
      ledger,
      createVerifier(),
      { maxTxs: 10, maxBytes: 1 << 20, maxPerSender: 10, maxBacklogBlocks: 2 },
      () => T0 + 1000,
    );
    let budget = one + 1;
    pool.boundBacklogBy(() => budget);
    assert.equal(pool.add(txs[0] as Uint8Array).ok, true);
    assert.equal(pool.add(txs[1] as Uint8Array).ok, true);
    assert.deepEqual(pool.add(txs[2] as Uint8Array), { ok: false, reason: "FULL" });
    // The budget shrinks; a commit re-checks what is pending without the capacity bound.
    budget = 1;
    const committed = ledger.apply(
      ledger.buildBlock({ txs: [], time: T0 + 1000, proposer: OWNER, lastCommit: null }),
    );
    pool.update(committed);
    assert.equal(pool.size, 2);
    assert.deepEqual(pool.add(txs[2] as Uint8Array), { ok: false, reason: "FULL" });
  });

  it("keeps the decoded form only for the oldest pending bytes, and re-checks the rest from their bytes", () => {
    const ledger = newLedger();
    const txs = [0, 1, 2].map((seq) => transfer(ledger, OWNER, seq));
    const one = txs[0]?.length ?? 0;
    const pool = new Mempool(
      ledger,
      createVerifier(),
      { maxTxs: 10, maxBytes: 1 << 20, maxPerSender: 10, maxDecodedBytes: 2 * one + 1 },
      () => T0 + 1000,
    );
    for (const t of txs) assert.equal(pool.add(t).ok, true);
    assert.deepEqual(
      txs.map((t) => pool.knownTx(t)?.body.seq),
      [0, 1, undefined],
    );
    // The first tx commits: the third moves up into the decoded budget as the rest are re-checked.
    const committed = ledger.apply(
      ledger.buildBlock({ txs: txs.slice(0, 1), time: T0 + 1000, proposer: OWNER, lastCommit: null }),
    );
    pool.update(committed);
    assert.equal(pool.size, 2);
    assert.deepEqual(
      txs.map((t) => pool.knownTx(t)?.body.seq),
      [undefined, 1, 2],
    );
  });

  it("proposes the first tx alone when it alone passes the byte budget, so it cannot hold up the rest", () => {
    const ledger = newLedger();
    const pool = new Mempool(ledger, createVerifier(), undefined, () => T0 + 1000);
    const a0 = transfer(ledger, OWNER, 0);
    const a1 = transfer(ledger, OWNER, 1);
    pool.add(a0);
    pool.add(a1);
    const draft = { time: T0 + 1000, proposer: OWNER, lastCommit: null, evidence: [] };
    const tiny = pool.propose(a0.length - 1, 10, (candidates) =>
      ledger.proposeBlock({ ...draft, candidates }),
    );
    assert.deepEqual(tiny.txs, [a0]);
    const both = pool.propose(a0.length + a1.length, 10, (candidates) =>
      ledger.proposeBlock({ ...draft, candidates }),
    );
    assert.deepEqual(both.txs, [a0, a1]);
  });

  it("reaps regulator actions first while keeping each sender's order, within limits", () => {
    const ledger = newLedger();
    const pool = new Mempool(ledger, createVerifier(), undefined, () => T0 + 1000);
    const a0 = transfer(ledger, OWNER, 0);
    const a1 = transfer(ledger, OWNER, 1);
    const b0 = transfer(ledger, "gz.tax", 0);
    const freeze = ledger.signTx(signerOf("regulator"), {
      chain: ledger.head.chain,
      kind: "regulator.freeze",
      sender: "regulator",
      seq: 0,
      payload: { target: { kind: "account", id: "bj.housing" }, reason: "audit" },
    } as TxBody);
    for (const t of [a0, a1, b0, freeze]) assert.equal(pool.add(t).ok, true);
    assert.deepEqual(pool.reap(1 << 20, 10), [freeze, a0, a1, b0]);
    assert.deepEqual(pool.reap(1 << 20, 2), [freeze, a0]);
    assert.deepEqual(pool.reap(a0.length + freeze.length, 10), [freeze, a0]);
  });

  it("drops included txs after a commit and re-checks the rest", () => {
    const ledger = newLedger();
    const pool = new Mempool(ledger, createVerifier(), undefined, () => T0 + 1000);
    const a0 = transfer(ledger, OWNER, 0);
    const a1 = transfer(ledger, OWNER, 1);
    pool.add(a0);
    pool.add(a1);
    // Another block spends the same sequence number 0 with a different tx: a0 is included elsewhere, a1 stays valid.
    const other = transfer(ledger, OWNER, 0, 2n);
    const committed = ledger.apply(
      ledger.buildBlock({ txs: [other], time: T0 + 1000, proposer: OWNER, lastCommit: null }),
    );
    pool.update(committed);
    assert.equal(pool.size, 1);
    assert.equal(pool.rejected.get("INVALIDATED"), 1);
    assert.deepEqual(pool.reap(1 << 20, 10), [a1]);
  });

  it("hands a proposal's txs to execution already decoded, matched by their bytes", () => {
    const ledger = newLedger();
    const pool = new Mempool(ledger, createVerifier(), undefined, () => T0 + 1000);
    ledger.useKnownTxs((raw) => pool.knownTx(raw));
    const a0 = transfer(ledger, OWNER, 0);
    const a1 = transfer(ledger, OWNER, 1);
    pool.add(a0);
    // A copy of the bytes, as a proposal from the network carries them, finds the pending tx.
    const known = pool.knownTx(new Uint8Array(a0));
    assert.equal(known?.body.seq, 0);
    assert.equal(pool.knownTx(a1), undefined);
    const tampered = new Uint8Array(a0);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    assert.equal(pool.knownTx(tampered), undefined);
    // Executing with known txs gives the same outcome as decoding, and a tampered copy is still refused.
    const block = ledger.buildBlock({
      txs: [new Uint8Array(a0), tampered],
      time: T0 + 1000,
      proposer: OWNER,
      lastCommit: null,
    });
    const fresh = newLedger().execute(block);
    const outcome = ledger.execute(block);
    assert.deepEqual(
      outcome.txs.map((t) => t.code),
      fresh.txs.map((t) => t.code),
    );
    assert.equal(outcome.txs[0]?.code, null);
    assert.notEqual(outcome.txs[1]?.code, null);
    assert.deepEqual(outcome.hash, fresh.hash);
    pool.update(ledger.commit(outcome));
    assert.equal(pool.knownTx(a0), undefined);
  });

  it("checks each signature once per process when a caching verifier is shared", () => {
    const verifier = createCachingVerifier(createVerifier());
    const ledger = newLedger(verifier);
    const pool = new Mempool(ledger, verifier, undefined, () => T0 + 1000);
    for (const seq of [0, 1, 2]) pool.add(transfer(ledger, OWNER, seq));
    assert.equal(verifier.stats.checks, 3);
    const committed = ledger.apply(
      ledger.buildBlock({ txs: pool.reap(1 << 20, 10), time: T0 + 1000, proposer: OWNER, lastCommit: null }),
    );
    assert.deepEqual(
      committed.outcome.txs.map((t) => t.code),
      [null, null, null],
    );
    assert.equal(verifier.stats.checks, 3);
    assert.equal(verifier.stats.cacheHits, 3);
  });
});
