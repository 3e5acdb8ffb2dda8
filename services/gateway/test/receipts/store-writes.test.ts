import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { GatewayRepository, IssuedReceiptInput, NonceRecord, Store } from "@coken/store";
import { type BenchBackend, pgliteBackend, postgresBackend } from "../../bench/stores.js";

const receipt = (id: Uint8Array = randomBytes(32)): IssuedReceiptInput => ({
  id,
  requester: "bj.housing",
  grantId: "g".repeat(32),
  timeMs: 1_000,
  receipt: randomBytes(40),
});
const nonce = (): NonceRecord => ({ requester: "bj.housing", nonce: randomBytes(16), expiresMs: 5_000 });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function liveNonceSet(repo: GatewayRepository): Promise<Set<string>> {
  return new Set((await repo.liveNonces(0)).map((n) => hex(n.nonce)));
}

for (const backend of [postgresBackend(), pgliteBackend()]) {
  describe(`gateway store writes on ${backend?.name ?? "PostgreSQL (not reachable)"}`, () => {
    let stores: [Store, Store];
    let provider: GatewayRepository;
    let asker: GatewayRepository;
    before(async () => {
      assert.ok(backend, "PostgreSQL must be reachable for these tests");
      stores = await (backend as BenchBackend).open();
      assert.ok(stores[0].gateway && stores[1].gateway);
      provider = stores[0].gateway;
      asker = stores[1].gateway;
    });
    after(async () => {
      await Promise.all((stores ?? []).map((s) => s.close()));
      backend?.cleanup();
    });

    it("a group of receipts and their nonces lands in one statement, all of it", async () => {
      const entries = [1, 2, 3].map(() => ({ receipt: receipt(), nonce: nonce() }));
      await provider.addIssuedReceipts([...entries, { receipt: receipt() }]);
      const nonces = await liveNonceSet(provider);
      for (const e of entries) {
        assert.equal((await provider.issuedReceipt(e.receipt.id))?.status, "pending");
        assert.ok(nonces.has(hex(e.nonce.nonce)));
      }
    });

    it("a group with a receipt stored already fails whole: none of its nonces or receipts is kept", async () => {
      const first = receipt();
      await provider.addIssuedReceipts([{ receipt: first, nonce: nonce() }]);
      const group = [
        { receipt: receipt(), nonce: nonce() },
        { receipt: receipt(first.id), nonce: nonce() },
      ];
      await assert.rejects(provider.addIssuedReceipts(group));
      const nonces = await liveNonceSet(provider);
      assert.equal(await provider.issuedReceipt(group[0]?.receipt.id as Uint8Array), null);
      for (const e of group) assert.ok(!nonces.has(hex(e.nonce.nonce)));
    });

    it("a group larger than one statement goes in one transaction", async () => {
      const entries = Array.from({ length: 2_001 }, () => ({ receipt: receipt(), nonce: nonce() }));
      await provider.addIssuedReceipts(entries);
      const last = entries.at(-1) as (typeof entries)[number];
      assert.equal((await provider.issuedReceipt(last.receipt.id))?.status, "pending");
      assert.ok((await liveNonceSet(provider)).has(hex(last.nonce.nonce)));
    });

    it("without waiting for the disk (async commit) a group still lands whole or not at all", async () => {
      const entries = [1, 2].map(() => ({ receipt: receipt(), nonce: nonce() }));
      await provider.addIssuedReceipts(entries, { flush: false });
      for (const e of entries) assert.equal((await provider.issuedReceipt(e.receipt.id))?.status, "pending");
      const clash = [
        { receipt: receipt(), nonce: nonce() },
        { receipt: receipt(entries[0]?.receipt.id), nonce: nonce() },
      ];
      await assert.rejects(provider.addIssuedReceipts(clash, { flush: false }));
      assert.equal(await provider.issuedReceipt(clash[0]?.receipt.id as Uint8Array), null);
      assert.ok(!(await liveNonceSet(provider)).has(hex(clash[0]?.nonce.nonce as Uint8Array)));
      // The relaxed commit was this transaction's only: the next default write still commits normally.
      const after = receipt();
      await provider.addIssuedReceipts([{ receipt: after }]);
      assert.equal((await provider.issuedReceipt(after.id))?.status, "pending");
    });

    it("logged calls: one statement; a call logged already is kept as it was", async () => {
      const id = randomBytes(32);
      const bytes = randomBytes(40);
      await asker.recordCalls([{ receiptId: id, provider: "sh.land", timeMs: 1, receipt: bytes }]);
      await asker.markCosigned([id]);
      const other = randomBytes(32);
      await asker.recordCalls([
        { receiptId: id, provider: "sh.land", timeMs: 2, receipt: randomBytes(40) },
        { receiptId: other, provider: "sh.land", timeMs: 3, receipt: bytes },
      ]);
      const calls = await asker.getCalls([id, other]);
      const byId = new Map(calls.map((c) => [hex(c.receiptId), c]));
      assert.deepEqual(
        { timeMs: byId.get(hex(id))?.timeMs, cosigned: byId.get(hex(id))?.cosigned },
        { timeMs: 1, cosigned: true },
      );
      assert.equal(byId.get(hex(other))?.cosigned, false);
    });
  });
}
