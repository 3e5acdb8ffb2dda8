import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createVerifier, keys, Ledger, toHex } from "../../src/index.js";
import { CHAIR, CreditWorld } from "./world.js";

const AGENCIES = ["a.one", "b.two", "c.three"] as const;
const REGIONS = ["R1", "R2", "R1"];

/** One step of a random history; agencies and datasets by index. */
type Op =
  | { op: "record"; p: number; c: number; n: number }
  | { op: "attest"; p: number; c: number; n: number }
  | { op: "dispute"; k: number }
  | { op: "transfer"; from: number; to: number; amount: bigint }
  | { op: "redeem"; by: number; quantity: number }
  | { op: "relate"; a: number; b: number }
  | { op: "params"; bps: number; mint: number }
  | { op: "blocks"; n: number };

const agency = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("record" as const), p: agency, c: agency, n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant("attest" as const), p: agency, c: agency, n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant("dispute" as const), k: fc.nat(50) }),
  fc.record({ op: fc.constant("transfer" as const), from: agency, to: agency, amount: fc.bigInt(1n, 400n) }),
  fc.record({ op: fc.constant("redeem" as const), by: agency, quantity: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant("relate" as const), a: agency, b: agency }),
  fc.record({
    op: fc.constant("params" as const),
    bps: fc.integer({ min: 0, max: 10_000 }),
    mint: fc.integer({ min: 0, max: 5000 }),
  }),
  fc.record({ op: fc.constant("blocks" as const), n: fc.integer({ min: 1, max: 4 }) }),
);

function build(): { w: CreditWorld; grants: string[][] } {
  const w = new CreditWorld(
    AGENCIES.map((id, i) => ({ id, region: REGIONS[i] as string, balance: BigInt(300 * (i + 1)) })),
    { epochLength: 3, receiptMaxAgeMs: 4000 },
  );
  AGENCIES.forEach((p, i) => {
    w.publish(p, `d/${i}`, BigInt(3 + i * 4));
  });
  w.tx(CHAIR, "credit.offer", { id: "goods", title: "Goods", description: "", price: 7n, stock: 5 });
  w.flush();
  const grants = AGENCIES.map((p, pi) => AGENCIES.map((c) => (c === p ? "" : w.grant(p, `d/${pi}`, c))));
  w.flush();
  return { w, grants };
}

function totals(w: CreditWorld): { held: bigint; issued: bigint } {
  const balances = [CHAIR, ...AGENCIES].map((a) => {
    const b = w.balance(a);
    assert.ok(b >= 0n, `${a} holds ${b}`);
    return b;
  });
  const s = w.supply();
  assert.ok(s.escrow >= 0n && s.burned >= 0n && s.minted >= 0n);
  return {
    held: balances.reduce((x, y) => x + y, 0n) + s.escrow,
    issued: w.genesisTotal + s.minted - s.burned,
  };
}

function run(ops: readonly Op[]): CreditWorld {
  const { w, grants } = build();
  const attested: { provider: string; requester: string; id: Uint8Array }[] = [];
  for (const o of ops) {
    switch (o.op) {
      case "record":
      case "attest": {
        const p = AGENCIES[o.p] as string;
        const c = AGENCIES[o.c] as string;
        const g = grants[o.p]?.[o.c] ?? "";
        if (g === "") break;
        if (o.op === "record") w.record(p, c, g, `d/${o.p}`, o.n);
        else
          for (const id of w.attest(p, c, g, `d/${o.p}`, o.n))
            attested.push({ provider: p, requester: c, id });
        break;
      }
      case "dispute": {
        const a = attested[o.k % Math.max(1, attested.length)];
        if (a) w.tx(a.requester, "access.dispute", { provider: a.provider, receipts: [a.id], reason: "r" });
        break;
      }
      case "transfer":
        w.tx(AGENCIES[o.from] as string, "credit.transfer", {
          to: AGENCIES[o.to] as string,
          amount: o.amount,
          memo: "",
        });
        break;
      case "redeem":
        w.tx(AGENCIES[o.by] as string, "credit.redeem", {
          offer: "goods",
          quantity: o.quantity,
          reference: "",
        });
        break;
      case "relate":
        w.tx(CHAIR, "governance.propose", {
          action: {
            type: "agency.relate",
            agencies: [AGENCIES[o.a] as string, AGENCIES[o.b] as string],
            related: true,
          },
        });
        break;
      case "params":
        w.tx(CHAIR, "governance.propose", {
          action: { type: "params.set", params: { feeBurnBps: o.bps, mintPerEpoch: o.mint } },
        });
        break;
      case "blocks":
        for (let i = 0; i < o.n; i++) {
          w.flush();
          const t = totals(w);
          assert.equal(t.held, t.issued, `supply at height ${w.height}`);
        }
        continue;
    }
    // One op per block keeps sequence numbers valid even when a tx is refused.
    w.flush();
    const t = totals(w);
    assert.equal(t.held, t.issued, `supply at height ${w.height}`);
  }
  for (let i = 0; i < 6; i++) w.flush();
  const t = totals(w);
  assert.equal(t.held, t.issued);
  return w;
}

describe("credit properties", () => {
  it("conserves supply at every height, keeps balances non-negative, and replays to the same state", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 14 }), (ops) => {
        const w = run(ops);
        // A second ledger fed the same blocks reaches the same app hash at every height.
        const replay = Ledger.fromGenesis(w.genesis, createVerifier());
        for (const block of w.blocks) replay.apply(block);
        assert.equal(toHex(replay.state.appHash()), toHex(w.s.ledger.state.appHash()));
        assert.deepEqual(replay.state.get(keys.supply), w.s.ledger.state.get(keys.supply));
      }),
      { numRuns: 12, seed: 20260101 },
    );
  });
});
