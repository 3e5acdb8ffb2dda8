import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesEqual, derivedId, keys, toHex } from "../../src/index.js";
import { publishAndGrant, receipt, Scenario, signedBatch, testGenesis, testSigner } from "../fixtures.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";

const setup = (s: Scenario, quota?: number) => publishAndGrant(s, quota);

describe("ledger lifecycle", () => {
  it("publishes a dataset, grants access and records co-signed receipts", () => {
    const s = new Scenario();
    const grant = setup(s);
    const g = s.ledger.state.get(keys.grant(grant));
    assert.equal(g?.grantee, ASKER);
    const receipts = [0, 1, 2].map((n) => receipt(grant, "sh/property", OWNER, ASKER, s.time, n));
    const codes = s.commit([
      s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, receipts)] }),
    ]);
    assert.deepEqual(codes, [null]);
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 3);
    assert.equal(s.ledger.state.get(keys.dataset("sh/property"))?.accessCount, 3);
    const log = s.ledger.state.get(keys.receipts);
    assert.equal(log?.receiptCount, 3);
    assert.equal(log?.batches.leafCount, 1);
  });

  it("refuses a replayed receipt, a receipt over quota and a receipt outside the time window", () => {
    const s = new Scenario();
    const grant = setup(s, 2);
    const r0 = receipt(grant, "sh/property", OWNER, ASKER, s.time, 0);
    assert.deepEqual(
      s.commit([s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [r0])] })]),
      [null],
    );
    // Each of these is refused, so each uses the same next sequence number (3).
    const replay = s.tx(
      OWNER,
      "access.record",
      { batches: [signedBatch(s, OWNER, ASKER, [r0])] },
      { seq: 3 },
    );
    const over = [1, 2].map((n) => receipt(grant, "sh/property", OWNER, ASKER, s.time, n));
    const quota = s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, over)] }, { seq: 3 });
    const old = receipt(grant, "sh/property", OWNER, ASKER, s.time - 4_000_000, 9);
    const stale = s.tx(
      OWNER,
      "access.record",
      { batches: [signedBatch(s, OWNER, ASKER, [old])] },
      { seq: 3 },
    );
    assert.deepEqual(s.commit([replay, quota, stale]), [
      "DUPLICATE_RECEIPT",
      "QUOTA_EXCEEDED",
      "RECEIPT_TIME",
    ]);
  });

  it("refuses receipts whose requester signature is forged", () => {
    const s = new Scenario();
    const grant = setup(s);
    const rs = [receipt(grant, "sh/property", OWNER, ASKER, s.time)];
    const batch = {
      ...signedBatch(s, OWNER, ASKER, rs),
      requesterSig: testSigner("mallory").sign(new Uint8Array(32)),
    };
    assert.deepEqual(s.commit([s.tx(OWNER, "access.record", { batches: [batch] })]), [
      "BAD_RECEIPT_SIGNATURE",
    ]);
  });

  it("stops receipts after revocation but keeps those for earlier requests", () => {
    const s = new Scenario();
    const grant = setup(s);
    const before = receipt(grant, "sh/property", OWNER, ASKER, s.time, 1);
    assert.deepEqual(s.commit([s.tx(OWNER, "grant.revoke", { grant, reason: "purpose ended" })]), [null]);
    const after = receipt(grant, "sh/property", OWNER, ASKER, s.time + 1, 2);
    const codes = s.commit([
      s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [before])] }),
      s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [after])] }),
    ]);
    assert.deepEqual(codes, [null, "GRANT_INACTIVE"]);
  });

  it("moves and burns credits, refusing overdrafts", () => {
    const s = new Scenario();
    const codes = s.commit([
      s.tx("regulator", "credit.offer", {
        id: "compute-hours",
        title: "Compute hours",
        description: "",
        price: 50n,
        stock: 10,
      }),
      s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 300n, memo: "data fee" }),
      s.tx(ASKER, "credit.redeem", { offer: "compute-hours", quantity: 2, reference: "R-1" }),
      s.tx("gz.tax", "credit.transfer", { to: ASKER, amount: 1n, memo: "" }),
    ]);
    assert.deepEqual(codes, [null, null, null, "INSUFFICIENT_BALANCE"]);
    assert.equal(s.ledger.state.get(keys.account(OWNER))?.balance, 700n);
    assert.equal(s.ledger.state.get(keys.account(ASKER))?.balance, 700n);
  });

  it("lets a regulator freeze and unfreeze, and frozen targets refuse to act", () => {
    const s = new Scenario();
    const grant = setup(s);
    assert.deepEqual(
      s.commit([
        s.tx("regulator", "regulator.freeze", {
          target: { kind: "grant", id: grant },
          reason: "complaint 17",
        }),
        s.tx("regulator", "regulator.freeze", { target: { kind: "account", id: ASKER }, reason: "audit" }),
        s.tx(ASKER, "regulator.freeze", { target: { kind: "agency", id: OWNER }, reason: "not a regulator" }),
      ]),
      [null, null, "NOT_AUTHORIZED"],
    );
    const r = receipt(grant, "sh/property", OWNER, ASKER, s.time);
    assert.deepEqual(
      s.commit([
        s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [r])] }),
        s.tx(ASKER, "credit.transfer", { to: OWNER, amount: 1n, memo: "y" }),
        s.tx("regulator", "regulator.freeze", { target: { kind: "grant", id: grant }, reason: "again" }),
      ]),
      ["FROZEN", "FROZEN", "ALREADY_FROZEN"],
    );
    assert.deepEqual(
      s.commit([
        s.tx("regulator", "regulator.unfreeze", { target: { kind: "grant", id: grant }, reason: "resolved" }),
        s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [r])] }),
        s.tx("regulator", "regulator.freeze", {
          target: { kind: "agency", id: OWNER },
          reason: "investigation",
        }),
        s.tx(OWNER, "dataset.commit", {
          dataset: "sh/property",
          commitment: {
            scheme: "poseidon-bn254-v1",
            root: new Uint8Array(32),
            rowCount: 0,
            indexedFields: [],
            verifyingKeys: [],
          },
        }),
      ]),
      [null, null, null, "FROZEN"],
    );
  });

  it("admits a new agency through governance, which then registers itself", () => {
    const s = new Scenario();
    const newcomer = testSigner("sz.courts");
    const admit = {
      type: "agency.admit" as const,
      agency: {
        id: "sz.courts",
        name: "Shenzhen courts",
        region: "CN-GD",
        publicKey: newcomer.publicKey,
        keyScheme: "ed25519" as const,
        roles: ["member" as const],
      },
    };
    const proposal = derivedId(s.ledger.hasher, "proposal", OWNER, 0);
    assert.deepEqual(
      s.commit([
        s.tx("sz.courts", "agency.register", {}, { seq: 0 }),
        s.tx(OWNER, "governance.propose", { action: admit }),
        s.tx(ASKER, "governance.vote", { proposal, approve: true }),
        s.tx("gz.tax", "governance.vote", { proposal, approve: true }),
      ]),
      ["UNKNOWN_SENDER", null, null, null],
    );
    assert.equal(s.ledger.state.get(keys.proposal(proposal))?.status, "executed");
    assert.deepEqual(
      s.commit([
        s.tx("sz.courts", "agency.register", {}, { seq: 0 }),
        s.tx("regulator", "governance.vote", { proposal, approve: true }),
      ]),
      [null, "PROPOSAL_CLOSED"],
    );
    const agency = s.ledger.state.get(keys.agency("sz.courts"));
    assert.ok(agency && bytesEqual(agency.publicKey, newcomer.publicKey));
    assert.equal(s.ledger.state.get(keys.account("sz.courts"))?.seq, 1);
  });

  it("changes the validator set only with more than two thirds of the power", () => {
    const s = new Scenario();
    const action = {
      type: "validators.set" as const,
      validators: [
        { agency: OWNER, power: 5 },
        { agency: ASKER, power: 5 },
      ],
    };
    const proposal = derivedId(s.ledger.hasher, "proposal", OWNER, 0);
    s.commit([
      s.tx(OWNER, "governance.propose", { action }),
      s.tx(ASKER, "governance.vote", { proposal, approve: true }),
    ]);
    assert.equal(s.ledger.state.get(keys.proposal(proposal))?.status, "open"); // 20 of 40
    s.commit([s.tx("gz.tax", "governance.vote", { proposal, approve: true })]); // 30 of 40 > 2/3
    assert.equal(s.ledger.state.get(keys.proposal(proposal))?.status, "executed");
    const members = () => s.ledger.state.get(keys.validators)?.validators.map((v) => v.agency);
    // Executed in block 2: the set of height 3 was fixed already, the new one decides height 4 on.
    assert.deepEqual(members(), [ASKER, "gz.tax", "regulator", OWNER]);
    s.commit([]);
    assert.deepEqual(members(), [ASKER, OWNER]);
    const rejected = derivedId(s.ledger.hasher, "proposal", ASKER, 1); // 5 yes, 5 no of 10
    s.commit([
      s.tx(ASKER, "governance.propose", { action: { type: "params.set", params: { epochLength: 10 } } }),
      s.tx(OWNER, "governance.vote", { proposal: rejected, approve: false }),
    ]);
    assert.equal(s.ledger.state.get(keys.proposal(rejected))?.status, "rejected");
    assert.equal(toHex(s.ledger.state.appHash()).length, 64);
  });

  it("settles at each epoch boundary through the settlement seam", () => {
    const seen: number[] = [];
    const s = new Scenario(testGenesis(), { settle: (_state, epoch) => void seen.push(epoch.number) });
    for (let i = 0; i < 11; i++) s.commit([]);
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(s.ledger.state.get(keys.epoch), { number: 2, startHeight: 11 });
  });
});
