import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { applyTxBytes, type BlockContext, createVerifier, derivedId, keys } from "../../src/index.js";
import { datasetPayload, Scenario, testSigner } from "../fixtures.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";

/** Applies `raw` in a block of its own and in an empty twin block; returns the code and whether state matches. */
function applyAlone(build: (s: Scenario) => Uint8Array): { code: string | null; unchanged: boolean } {
  const a = new Scenario();
  const b = new Scenario();
  const prepare = (s: Scenario) =>
    s.commit([
      s.tx(OWNER, "dataset.publish", datasetPayload("sh/property")),
      s.tx("regulator", "regulator.freeze", {
        target: { kind: "agency", id: "gz.tax" },
        reason: "investigation",
      }),
    ]);
  prepare(a);
  prepare(b);
  const raw = build(a);
  const code = a.commit([raw])[0] ?? null;
  b.commit([]);
  return { code, unchanged: Buffer.from(a.ledger.state.appHash()).equals(b.ledger.state.appHash()) };
}

const grantTo = (grantee: string) => ({
  dataset: "sh/property",
  grantee,
  queryKinds: ["count" as const],
  fields: [],
  purpose: "check",
  quota: 5,
  expiresAt: Date.UTC(2030, 0, 1),
});

describe("bad input is refused with its code and changes nothing", () => {
  const cases: [string, string, (s: Scenario) => Uint8Array][] = [
    ["garbage bytes", "MALFORMED_TX", () => new Uint8Array([0xde, 0xad, 0xbe, 0xef])],
    ["empty bytes", "MALFORMED_TX", () => new Uint8Array()],
    [
      "unknown field in payload",
      "MALFORMED_TX",
      (s) => {
        const raw = s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 1n, memo: "", extra: 1 } as never);
        return raw;
      },
    ],
    [
      "wrong signature",
      "BAD_SIGNATURE",
      (s) => {
        const h = s.ledger.hasher;
        const body = {
          chain: "coken-test",
          kind: "credit.transfer" as const,
          sender: OWNER,
          seq: 1,
          payload: { to: ASKER, amount: 1n, memo: "" },
        };
        return s.ledger.signTx(testSigner("mallory"), body) ?? h;
      },
    ],
    [
      "replayed sequence",
      "BAD_SEQUENCE",
      (s) => s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 1n, memo: "" }, { seq: 0 }),
    ],
    [
      "sequence from the future",
      "BAD_SEQUENCE",
      (s) => s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 1n, memo: "" }, { seq: 9 }),
    ],
    [
      "wrong chain",
      "WRONG_CHAIN",
      (s) =>
        s.ledger.signTx(testSigner(OWNER), {
          chain: "other-chain",
          kind: "credit.redeem",
          sender: OWNER,
          seq: 1,
          payload: { offer: "s", quantity: 1, reference: "r" },
        }),
    ],
    [
      "unknown sender",
      "UNKNOWN_SENDER",
      (s) => s.tx("nobody", "credit.redeem", { offer: "s", quantity: 1, reference: "r" }),
    ],
    [
      "unknown dataset",
      "UNKNOWN_DATASET",
      (s) => s.tx(OWNER, "grant.issue", { ...grantTo(ASKER), dataset: "sh/none" }),
    ],
    ["grant by a non-owner", "NOT_AUTHORIZED", (s) => s.tx(ASKER, "grant.issue", grantTo("regulator"))],
    ["grant to a frozen agency", "FROZEN", (s) => s.tx(OWNER, "grant.issue", grantTo("gz.tax"))],
    [
      "tx from a frozen agency",
      "FROZEN",
      (s) => s.tx("gz.tax", "credit.redeem", { offer: "s", quantity: 1, reference: "r" }),
    ],
    [
      "grant already expired",
      "INVALID_FIELD",
      (s) => s.tx(OWNER, "grant.issue", { ...grantTo(ASKER), expiresAt: 1 }),
    ],
    [
      "grant of a kind the dataset refuses",
      "INVALID_FIELD",
      (s) => s.tx(OWNER, "grant.issue", { ...grantTo(ASKER), queryKinds: ["lookup"] }),
    ],
    [
      "duplicate dataset",
      "ALREADY_EXISTS",
      (s) => s.tx(OWNER, "dataset.publish", datasetPayload("sh/property")),
    ],
    [
      "overdraft",
      "INSUFFICIENT_BALANCE",
      (s) => s.tx(ASKER, "credit.transfer", { to: OWNER, amount: 501n, memo: "" }),
    ],
    [
      "zero transfer",
      "INVALID_FIELD",
      (s) => s.tx(ASKER, "credit.transfer", { to: OWNER, amount: 0n, memo: "" }),
    ],
    [
      "unknown grant revoked",
      "UNKNOWN_GRANT",
      (s) => s.tx(OWNER, "grant.revoke", { grant: "0".repeat(32), reason: "x" }),
    ],
    [
      "vote on unknown proposal",
      "UNKNOWN_PROPOSAL",
      (s) => s.tx(OWNER, "governance.vote", { proposal: "0".repeat(32), approve: true }),
    ],
    [
      "proposal by a non-validator",
      "NOT_AUTHORIZED",
      (s) =>
        s.tx("auditor", "governance.propose", { action: { type: "params.set", params: { epochLength: 9 } } }),
    ],
    [
      "freeze by a non-regulator",
      "NOT_AUTHORIZED",
      (s) => s.tx(OWNER, "regulator.freeze", { target: { kind: "agency", id: ASKER }, reason: "x" }),
    ],
    [
      "unfreeze of what is not frozen",
      "NOT_FROZEN",
      (s) => s.tx("regulator", "regulator.unfreeze", { target: { kind: "agency", id: ASKER }, reason: "x" }),
    ],
  ];
  for (const [name, code, build] of cases) {
    it(name, () => {
      const r = applyAlone(build);
      assert.equal(r.code, code);
      assert.ok(r.unchanged, "state must equal the state after an empty block");
    });
  }

  it("a rejected tx does not advance the sender's sequence", () => {
    const s = new Scenario();
    assert.deepEqual(s.commit([s.tx(ASKER, "credit.transfer", { to: OWNER, amount: 10_000n, memo: "" })]), [
      "INSUFFICIENT_BALANCE",
    ]);
    assert.equal(s.ledger.state.get(keys.account(ASKER))?.seq, 0);
  });
});

describe("properties", () => {
  it("any corruption of a valid tx is refused or applied whole; a refused one changes nothing", () => {
    const base = new Scenario();
    const raw = base.tx(OWNER, "credit.transfer", { to: ASKER, amount: 5n, memo: "fee" });
    const block: BlockContext = {
      chain: "coken-test",
      height: 1,
      time: base.time + 1000,
      hasher: base.ledger.hasher,
      verifier: createVerifier(),
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: raw.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const bad = raw.slice();
          bad[at] = (bad[at] as number) ^ xor;
          const before = base.ledger.state.appHash();
          const result = applyTxBytes(base.ledger.state, bad, block);
          assert.deepEqual(base.ledger.state.appHash(), before);
          // A flipped bit either breaks decoding, the schema, the sequence or the signature: never applies.
          assert.equal(result.ok, false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("sequence numbers prevent replay of any committed tx", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(OWNER, ASKER), fc.bigInt({ min: 1n, max: 20n })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        (transfers, pick) => {
          const s = new Scenario();
          const sent = transfers.map(([from, amount]) =>
            s.tx(from, "credit.transfer", { to: from === OWNER ? ASKER : OWNER, amount, memo: "" }),
          );
          assert.ok(s.commit(sent).every((c) => c === null));
          const replay = sent[pick % sent.length] as Uint8Array;
          const withReplay = s.block([replay]);
          const empty = s.ledger.buildBlock({
            txs: [],
            time: withReplay.header.time,
            proposer: withReplay.header.proposer,
            lastCommit: s.lastCommit,
          });
          const outcome = s.ledger.execute(withReplay);
          assert.deepEqual(
            outcome.txs.map((t) => t.code),
            ["BAD_SEQUENCE"],
          );
          // The replay's block changes exactly what an empty block would (end-of-block bookkeeping).
          assert.deepEqual(outcome.diff, s.ledger.execute(empty).diff);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("derived grant ids do not collide across senders and sequences", () => {
    const s = new Scenario();
    const ids = new Set<string>();
    for (const sender of [OWNER, ASKER])
      for (let seq = 0; seq < 200; seq++) ids.add(derivedId(s.ledger.hasher, "grant", sender, seq));
    assert.equal(ids.size, 400);
  });
});
