import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  type AccessReceipt,
  derivedId,
  duplicateVoteEvidence,
  encodeEvidence,
  type FreezeRules,
  GenesisError,
  type GovernanceAction,
  keys,
  receiptId,
  requestEnvelopeHash,
  signReceiptBatch,
  toHex,
  voteSignBytes,
} from "../../src/index.js";
import {
  publishAndGrant,
  receipt,
  Scenario,
  signedBatch,
  T0,
  testGenesis,
  testGenesisDoc,
  testSigner,
} from "../fixtures.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";
const DATASET = "sh/property";
const VALIDATORS = [OWNER, ASKER, "gz.tax"];

/** The test genesis plus two regulator agencies, with a regulator set of the three and `threshold`. */
function regulatedGenesis(threshold: number | null) {
  const doc = testGenesisDoc();
  const extra = ["reg.b", "reg.c"].map((id) => ({
    id,
    name: `Agency ${id}`,
    region: "CN",
    publicKey: toHex(testSigner(id).publicKey),
    roles: ["regulator"],
  }));
  doc.agencies = [...(doc.agencies as unknown[]), ...extra];
  if (threshold !== null) doc.regulators = { members: ["regulator", "reg.b", "reg.c"], threshold };
  return testGenesis(doc);
}

const setup = (s: Scenario, quota?: number) => publishAndGrant(s, quota);

/** Proposes `action` and has enough validators approve it (> 2/3 of 4 equal powers). */
function govern(s: Scenario, action: GovernanceAction): void {
  const seq = s.ledger.state.get(keys.account(OWNER))?.seq ?? 0;
  assert.deepEqual(s.commit([s.tx(OWNER, "governance.propose", { action })]), [null]);
  const proposal = derivedId(s.ledger.hasher, "proposal", OWNER, seq);
  const votes = VALIDATORS.slice(1).map((v) => s.tx(v, "governance.vote", { proposal, approve: true }));
  assert.deepEqual(s.commit(votes), [null, null]);
  assert.equal(s.ledger.state.get(keys.proposal(proposal))?.status, "executed");
}

const RULES_OFF: FreezeRules = {
  doubleSign: false,
  quotaOverrunBps: 0,
  disputeRateBps: 0,
  disputeMinReceipts: 1,
};
const grantTarget = (id: string) => ({ kind: "grant" as const, id });

describe("regulator set and threshold unfreeze", () => {
  it("lets one member freeze but lifts the freeze only at the threshold of distinct members", () => {
    const s = new Scenario(regulatedGenesis(2));
    const grant = setup(s);
    const target = grantTarget(grant);
    assert.deepEqual(s.commit([s.tx("reg.b", "regulator.freeze", { target, reason: "complaint" })]), [null]);
    assert.deepEqual(
      s.commit([
        s.tx("regulator", "regulator.unfreeze", { target, reason: "resolved" }),
        s.tx("regulator", "regulator.unfreeze", { target, reason: "again" }),
        s.tx(ASKER, "regulator.unfreeze", { target, reason: "not a member" }),
      ]),
      [null, "ALREADY_APPROVED", "NOT_AUTHORIZED"],
    );
    const held = s.ledger.state.get(keys.freeze("grant", grant));
    assert.deepEqual(held?.approvals, ["regulator"], "one approval does not lift it");
    assert.deepEqual(s.commit([s.tx("reg.c", "regulator.unfreeze", { target, reason: "agreed" })]), [null]);
    assert.equal(s.ledger.state.get(keys.freeze("grant", grant)), undefined);
    assert.equal(s.ledger.state.get(keys.freezelog("grant", grant))?.count, 3);
    const events = [0, 1, 2].map((n) => s.ledger.state.get(keys.freezeevent("grant", grant, n)));
    assert.deepEqual(
      events.map((e) => [e?.action, e?.by, e?.approvals]),
      [
        ["freeze", "reg.b", []],
        ["approve", "regulator", ["regulator"]],
        ["unfreeze", "reg.c", ["reg.c", "regulator"]],
      ],
    );
    // A new freeze starts with no approvals: the old ones cannot be replayed.
    assert.deepEqual(s.commit([s.tx("regulator", "regulator.freeze", { target, reason: "again" })]), [null]);
    assert.deepEqual(s.commit([s.tx("reg.c", "regulator.unfreeze", { target, reason: "x" })]), [null]);
    assert.deepEqual(s.ledger.state.get(keys.freeze("grant", grant))?.approvals, ["reg.c"]);
  });

  it("without a regulators record, any agency with the role freezes and unfreezes alone", () => {
    const s = new Scenario(regulatedGenesis(null));
    const grant = setup(s);
    const target = grantTarget(grant);
    assert.deepEqual(
      s.commit([
        s.tx("reg.b", "regulator.freeze", { target, reason: "r" }),
        s.tx("reg.c", "regulator.unfreeze", { target, reason: "r" }),
      ]),
      [null, null],
    );
    assert.equal(s.ledger.state.get(keys.regulators), undefined);
    assert.equal(s.ledger.state.get(keys.freeze("grant", grant)), undefined);
  });

  it("changes membership and threshold by governance; approvals of departed members stop counting", () => {
    const s = new Scenario(regulatedGenesis(2));
    const grant = setup(s);
    const target = grantTarget(grant);
    s.commit([s.tx("regulator", "regulator.freeze", { target, reason: "r" })]);
    s.commit([s.tx("reg.b", "regulator.unfreeze", { target, reason: "r" })]);
    govern(s, { type: "regulators.set", regulators: { members: ["reg.c", "regulator"], threshold: 2 } });
    assert.deepEqual(
      s.commit([s.tx("reg.b", "regulator.freeze", { target: grantTarget("x"), reason: "r" })]),
      ["NOT_AUTHORIZED"],
    );
    assert.deepEqual(s.commit([s.tx("reg.c", "regulator.unfreeze", { target, reason: "r" })]), [null]);
    assert.ok(s.ledger.state.get(keys.freeze("grant", grant)), "reg.b's approval no longer counts");
    assert.deepEqual(s.commit([s.tx("regulator", "regulator.unfreeze", { target, reason: "r" })]), [null]);
    assert.equal(s.ledger.state.get(keys.freeze("grant", grant)), undefined);
    const seq = s.ledger.state.get(keys.account(OWNER))?.seq ?? 0;
    const bad = { type: "regulators.set" as const, regulators: { members: ["regulator"], threshold: 2 } };
    const noRole = { type: "regulators.set" as const, regulators: { members: [ASKER], threshold: 1 } };
    assert.deepEqual(
      s.commit([
        s.tx(OWNER, "governance.propose", { action: bad }, { seq }),
        s.tx(OWNER, "governance.propose", { action: noRole }, { seq }),
      ]),
      ["INVALID_FIELD", "NOT_AUTHORIZED"],
    );
  });

  it("refuses genesis regulator sets that are empty, repeat, lack the role or exceed their threshold", () => {
    const base = testGenesisDoc();
    const bad = [
      { members: [], threshold: 1 },
      { members: ["regulator", "regulator"], threshold: 1 },
      { members: ["gz.tax"], threshold: 1 },
      { members: ["regulator"], threshold: 2 },
      { members: ["regulator"], threshold: 1, extra: true },
    ];
    for (const regulators of bad) assert.throws(() => testGenesis({ ...base, regulators }), GenesisError);
  });
});

describe("automatic freeze rules", () => {
  function doubleVote(s: Scenario, signer = ASKER) {
    const h = s.ledger.hasher;
    const sign = (blockHash: Uint8Array | null) => {
      const v = { type: "prevote" as const, height: 1, round: 0, blockHash, time: T0 };
      const signature = testSigner(signer).sign(voteSignBytes(h, { chain: "coken-test", ...v }));
      return { ...v, validator: signer, signature };
    };
    return encodeEvidence(duplicateVoteEvidence(sign(new Uint8Array(32).fill(1)), sign(null)));
  }

  it("freezes a double-signing validator's agency when the rule is on, and not when off", () => {
    for (const on of [true, false]) {
      const s = new Scenario();
      govern(s, { type: "freezeRules.set", rules: { ...RULES_OFF, doubleSign: on } });
      s.commitBlock(s.block([], OWNER, [doubleVote(s)]));
      const f = s.ledger.state.get(keys.freeze("agency", ASKER));
      if (!on) {
        assert.equal(f, undefined);
        continue;
      }
      assert.equal(f?.rule, "double-sign");
      assert.equal(f?.by, "rule:double-sign");
      assert.equal(f?.evidence, "evidence/bj.housing/1/0/prevote");
      assert.equal(s.ledger.state.get(keys.freezeevent("agency", ASKER, 0))?.action, "freeze");
    }
  });

  it("writes nothing without a rules record (existing chains)", () => {
    const s = new Scenario();
    s.commit([]);
    const outcome = s.commitBlock(s.block([], OWNER, [doubleVote(s)])).outcome;
    assert.deepEqual(
      [...outcome.diff.writes.keys()].filter((k) => k.startsWith("freeze")),
      [],
    );
  });

  it("freezes a grant once refused over-quota attempts reach the factor, counting across blocks", () => {
    const s = new Scenario();
    const grant = setup(s, 4);
    govern(s, { type: "freezeRules.set", rules: { ...RULES_OFF, quotaOverrunBps: 20_000 } });
    const batch = (from: number, n: number) =>
      signedBatch(
        s,
        OWNER,
        ASKER,
        Array.from({ length: n }, (_, i) => receipt(grant, DATASET, OWNER, ASKER, s.time, from + i)),
      );
    assert.deepEqual(s.commit([s.tx(OWNER, "access.record", { batches: [batch(0, 6)] })]), [
      "QUOTA_EXCEEDED",
    ]);
    assert.equal(s.ledger.state.get(keys.overquota(grant))?.excess, 2);
    assert.equal(s.ledger.state.get(keys.freeze("grant", grant)), undefined, "6 of 4 is below 2x");
    assert.deepEqual(s.commit([s.tx(OWNER, "access.record", { batches: [batch(10, 6)] })]), [
      "QUOTA_EXCEEDED",
    ]);
    const f = s.ledger.state.get(keys.freeze("grant", grant));
    assert.equal(f?.rule, "quota-overrun");
    assert.equal(f?.evidence, `overquota/${grant}: excess 4, quota 4`);
  });

  it("freezes a dataset whose disputed share passes the rate, only on a block with a new dispute", () => {
    const s = new Scenario();
    const grant = setup(s);
    govern(s, {
      type: "freezeRules.set",
      rules: { ...RULES_OFF, disputeRateBps: 2500, disputeMinReceipts: 4 },
    });
    const ids = attest(s, grant, 4);
    const dispute = (id: string) => ({
      provider: OWNER,
      receipts: [Uint8Array.from(Buffer.from(id, "hex"))],
      reason: "wrong answer",
    });
    assert.deepEqual(s.commit([s.tx(ASKER, "access.dispute", dispute(ids[0] as string))]), [null]);
    assert.equal(s.ledger.state.get(keys.freeze("dataset", DATASET)), undefined, "1 of 4 is not above 25%");
    assert.deepEqual(s.commit([s.tx(ASKER, "access.dispute", dispute(ids[1] as string))]), [null]);
    const f = s.ledger.state.get(keys.freeze("dataset", DATASET));
    assert.equal(f?.rule, "dispute-rate");
    assert.equal(f?.evidence, `quality/${DATASET}: disputed 2; dataset/${DATASET}: accessCount 4`);
    // Lifted by the regulator (threshold 1): no new dispute, so the rule leaves it lifted.
    s.commit([
      s.tx("regulator", "regulator.unfreeze", { target: { kind: "dataset", id: DATASET }, reason: "ok" }),
    ]);
    s.commit([]);
    assert.equal(s.ledger.state.get(keys.freeze("dataset", DATASET)), undefined);
  });

  it("is deterministic: two ledgers fed the same blocks reach the same app hash", () => {
    const run = () => {
      const s = new Scenario();
      govern(s, { type: "freezeRules.set", rules: { ...RULES_OFF, doubleSign: true } });
      s.commitBlock(s.block([], OWNER, [doubleVote(s)]));
      return toHex(s.ledger.head.appHash);
    };
    assert.equal(run(), run());
  });

  it("refuses rules out of bounds", () => {
    const s = new Scenario();
    const propose = (rules: FreezeRules, seq: number) =>
      s.tx(OWNER, "governance.propose", { action: { type: "freezeRules.set", rules } }, { seq });
    assert.deepEqual(
      s.commit([
        propose({ ...RULES_OFF, quotaOverrunBps: 5000 }, 0),
        propose({ ...RULES_OFF, disputeRateBps: 10_001 }, 0),
        propose({ ...RULES_OFF, disputeMinReceipts: 0 }, 0),
      ]),
      ["INVALID_FIELD", "INVALID_FIELD", "INVALID_FIELD"],
    );
  });
});

const digest = (tag: string) => new Uint8Array(createHash("sha256").update(tag).digest());

/** Records `n` attested receipts (answers the requester can dispute); returns their ids in hex. */
function attest(s: Scenario, grant: string, n: number): string[] {
  const h = s.ledger.hasher;
  const calls = Array.from({ length: n }, (_, i) => {
    const envelope = {
      requester: ASKER,
      provider: OWNER,
      grant,
      dataset: DATASET,
      queryHash: digest(`query:${i}`),
      variablesHash: digest(`vars:${i}`),
      nonce: digest(`nonce:${i}`).subarray(0, 16),
      time: s.time,
      expiresAt: s.time + 120_000,
    };
    const r: AccessReceipt = {
      grant,
      dataset: DATASET,
      provider: OWNER,
      requester: ASKER,
      queryKind: "count",
      requestHash: requestEnvelopeHash(h, envelope),
      resultHash: digest(`result:${i}`),
      proofHash: digest(`proof:${i}`),
      nonce: envelope.nonce,
      time: envelope.time,
    };
    return { envelope, receipt: r };
  });
  const receipts = calls.map((c) => c.receipt);
  const batch = {
    requester: ASKER,
    receipts,
    requests: calls.map(({ envelope: e }, i) => ({
      queryHash: e.queryHash,
      variablesHash: e.variablesHash,
      expiresAt: e.expiresAt,
      signature: i,
    })),
    signatures: receipts.map((r) => ({ batch: null, signature: testSigner(ASKER).sign(r.requestHash) })),
    providerSig: signReceiptBatch(h, testSigner(OWNER), OWNER, ASKER, receipts),
  };
  assert.deepEqual(s.commit([s.tx(OWNER, "access.attest", { batches: [batch] })]), [null]);
  return receipts.map((r) => toHex(receiptId(h, r)));
}
