import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { derivedId, keys, splitBudget, toHex } from "../../src/index.js";
import { CHAIR, CreditWorld } from "./world.js";

const P = "sh.land";
const A = "bj.tax";
const B = "gz.police";

function world(params = {}) {
  const w = new CreditWorld(
    [
      { id: P, region: "CN-SH", balance: 0n },
      { id: A, region: "CN-BJ", balance: 10_000n },
      { id: B, region: "CN-GD", balance: 10_000n },
    ],
    { feeBurnBps: 2000, mintPerEpoch: 1000, ...params },
  );
  w.publish(P, "sh/deeds", 10n);
  const ga = w.grant(P, "sh/deeds", A);
  const gb = w.grant(P, "sh/deeds", B);
  assert.deepEqual(w.flush(), [null, null, null]);
  return { w, ga, gb };
}

describe("credit fees and settlement", () => {
  it("charges the requester, burns a share, pays the provider and mints its capped reward at the boundary", () => {
    const { w, ga, gb } = world();
    w.record(P, A, ga, "sh/deeds", 9);
    w.record(P, B, gb, "sh/deeds", 4);
    assert.deepEqual(w.flush(), [null, null]);
    assert.equal(w.balance(A), 10_000n - 90n);
    assert.equal(w.balance(B), 10_000n - 40n);
    assert.equal(w.balance(P), 8n * 13n);
    assert.deepEqual(w.supply(), { minted: 0n, burned: 26n, escrow: 0n });
    const epoch = w.s.ledger.state.get(keys.epoch)?.number ?? -1;
    w.settle();
    // Reward = min(budget share, half the burned fees of unrelated consumers) = min(1000, 26 / 2).
    assert.equal(w.balance(P), 104n + 13n);
    assert.deepEqual(w.supply(), { minted: 13n, burned: 26n, escrow: 0n });
    const standing = w.s.ledger.state.get(keys.standing(epoch));
    assert.equal(standing?.agencies[0]?.agency, P);
    assert.equal(standing?.agencies[0]?.consumers, 2);
    assert.equal(standing?.agencies[0]?.receipts, 13);
    assert.equal(standing?.agencies[0]?.reward, 13n);
    assert.equal(standing?.agencies[0]?.fees, 104n);
    assert.equal(standing?.agencies[0]?.quality, 1000);
    assert.equal(standing?.regions[0]?.region, "CN-SH");
    assert.equal(w.s.ledger.state.get(keys.earnings(P)), undefined);
    assert.deepEqual(w.s.ledger.state.get(keys.settlement)?.providers, []);
  });

  it("records receipts its requester cannot pay for: unpaid, they pay and earn nothing, and the access log keeps them", () => {
    const { w, ga } = world();
    // A empties its account before its answers are recorded: the receipts are recorded all the same.
    w.tx(A, "credit.transfer", { to: B, amount: 9_985n, memo: "" });
    assert.deepEqual(w.flush(), [null]);
    const provider = w.balance(P);
    w.record(P, A, ga, "sh/deeds", 3);
    assert.deepEqual(w.flush(), [null]);
    assert.equal(w.s.ledger.state.get(keys.dataset("sh/deeds"))?.accessCount, 3, "every receipt is recorded");
    assert.equal(w.s.ledger.state.get(keys.grant(ga))?.used, 3);
    assert.equal(w.balance(A), 5n, "one fee of 10 paid out of 15, never below zero");
    assert.equal(w.s.ledger.state.get(keys.quality("sh/deeds"))?.unpaid, 2);
    assert.ok(w.balance(P) > provider, "the paid receipt pays its share");
  });

  it("pays no reward for use by a related agency, and a relation can be undone", () => {
    const { w, ga } = world();
    w.tx(CHAIR, "governance.propose", { action: { type: "agency.relate", agencies: [A, P], related: true } });
    assert.deepEqual(w.flush(), [null]);
    assert.ok(w.s.ledger.state.get(keys.relation(P, A)));
    w.record(P, A, ga, "sh/deeds", 9);
    w.flush();
    w.settle();
    assert.equal(w.balance(P), 72n);
    assert.equal(w.supply().minted, 0n);
    w.tx(CHAIR, "governance.propose", {
      action: { type: "agency.relate", agencies: [P, A], related: false },
    });
    w.tx(CHAIR, "governance.propose", { action: { type: "agency.relate", agencies: [P, P], related: true } });
    assert.deepEqual(w.flush(), [null, "INVALID_FIELD"]);
    assert.equal(w.s.ledger.state.get(keys.relation(P, A)), undefined);
  });

  it("holds attested fees in escrow, burns a disputed share and counts the rest when the window closes", () => {
    const { w, gb } = world({ receiptMaxAgeMs: 5000, epochLength: 50 });
    const ids = w.attest(P, B, gb, "sh/deeds", 3);
    assert.deepEqual(w.flush(), [null]);
    assert.deepEqual(w.supply(), { minted: 0n, burned: 6n, escrow: 24n });
    assert.equal(w.balance(P), 0n);
    w.tx(B, "access.dispute", { provider: P, receipts: [ids[0] as Uint8Array], reason: "no answer" });
    assert.deepEqual(w.flush(), [null]);
    assert.deepEqual(w.supply(), { minted: 0n, burned: 14n, escrow: 16n });
    assert.equal(w.s.ledger.state.get(keys.quality("sh/deeds"))?.disputed, 1);
    for (let i = 0; i < 5; i++) w.flush();
    assert.deepEqual(w.supply(), { minted: 0n, burned: 14n, escrow: 0n });
    assert.equal(w.balance(P), 16n);
    assert.deepEqual(w.s.ledger.state.get(keys.earnings(P))?.consumers, [
      { agency: B, receipts: 2, fees: 20n, burned: 4n },
    ]);
    // Raising the age limit reopens no window: the receipt has counted.
    w.tx(CHAIR, "governance.propose", {
      action: { type: "params.set", params: { receiptMaxAgeMs: 3_600_000 } },
    });
    w.tx(B, "access.dispute", { provider: P, receipts: [ids[1] as Uint8Array], reason: "late" });
    assert.deepEqual(w.flush(), [null, "DISPUTE_CLOSED"]);
  });

  it("splits the budget by √receipts per consumer and quality, within each provider's fee cap", () => {
    const claim = (provider: string, units: bigint, quality: number, cap: bigint) => ({
      provider,
      units,
      quality,
      cap,
      fees: 0n,
      consumers: 0,
      receipts: 0,
      eligible: true,
    });
    assert.deepEqual(
      splitBudget(
        [claim("a", 3n, 1000, 10_000n), claim("b", 1n, 1000, 10_000n), claim("c", 4n, 500, 1n)],
        1000n,
      ),
      [500n, 166n, 1n],
    );
    assert.deepEqual(splitBudget([claim("a", 0n, 1000, 5n)], 1000n), [0n]);
  });

  it("keeps a catalog: redemption burns credits, takes stock and writes a voucher; no overdraw or overselling", () => {
    const { w } = world();
    w.tx(CHAIR, "credit.offer", {
      id: "cloud/hours",
      title: "Cloud hours",
      description: "",
      price: 100n,
      stock: 3,
    });
    w.tx(A, "credit.offer", { id: "cloud/hours", title: "Mine", description: "", price: 1n, stock: 3 });
    w.tx(B, "credit.offer", { id: "gz/free", title: "Free", description: "", price: 0n, stock: 3 });
    assert.deepEqual(w.flush(), [null, "NOT_AUTHORIZED", "INVALID_FIELD"]);
    const seq = w.s.nextSeq(A);
    w.tx(A, "credit.redeem", { offer: "cloud/hours", quantity: 2, reference: "PO-1" }, { seq });
    const bSeq = w.s.nextSeq(B);
    w.tx(B, "credit.redeem", { offer: "cloud/hours", quantity: 2, reference: "PO-2" }, { seq: bSeq });
    w.tx(P, "credit.redeem", { offer: "cloud/hours", quantity: 1, reference: "PO-3" });
    w.tx(B, "credit.redeem", { offer: "nothing", quantity: 1, reference: "" }, { seq: bSeq });
    w.tx(B, "credit.redeem", { offer: "cloud/hours", quantity: 0, reference: "" }, { seq: bSeq });
    assert.deepEqual(w.flush(), [
      null,
      "OUT_OF_STOCK",
      "INSUFFICIENT_BALANCE",
      "UNKNOWN_OFFER",
      "INVALID_FIELD",
    ]);
    assert.equal(w.balance(A), 9_800n);
    assert.deepEqual(w.supply().burned, 200n);
    const offer = w.s.ledger.state.get(keys.offer("cloud/hours"));
    assert.equal(offer?.stock, 1);
    assert.equal(offer?.redeemed, 2);
    const voucher = w.s.ledger.state.get(keys.voucher(derivedId(w.s.ledger.hasher, "voucher", A, seq)));
    assert.equal(voucher?.holder, A);
    assert.equal(voucher?.issuer, CHAIR);
    assert.equal(voucher?.amount, 200n);
    assert.equal(toHex(w.s.ledger.state.appHash()).length, 64);
  });
});
