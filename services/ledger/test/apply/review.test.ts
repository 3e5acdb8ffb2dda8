import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CborMap,
  decodeCbor,
  decodeTx,
  derivedId,
  EncodingError,
  encodeCbor,
  keys,
} from "../../src/index.js";
import { datasetPayload, receipt, Scenario, signedBatch, testGenesis } from "../fixtures.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";

describe("hardening", () => {
  it("refuses map keys that name built-in object properties (no silent drop, no tx malleability)", () => {
    const s = new Scenario();
    const raw = s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 1n, memo: "" });
    for (const key of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      const tx = decodeCbor(raw) as CborMap;
      const body = tx.body as CborMap;
      (body.payload as CborMap)[key] = 1;
      assert.throws(
        () => decodeTx(encodeCbor(tx)),
        (e: unknown) => e instanceof EncodingError && e.code === "SCHEMA",
      );
    }
  });

  it("a raised receipt age limit never readmits a forgotten receipt", () => {
    const s = new Scenario(testGenesis({ params: { epochLength: 1000, receiptMaxAgeMs: 10_000 } }));
    s.commit([
      s.tx(OWNER, "dataset.publish", datasetPayload("sh/property")),
      s.tx(OWNER, "grant.issue", {
        dataset: "sh/property",
        grantee: ASKER,
        queryKinds: ["count"],
        fields: [],
        purpose: "p",
        quota: 10,
        expiresAt: s.time + 86_400_000,
      }),
    ]);
    const grant = derivedId(s.ledger.hasher, "grant", OWNER, 1);
    const r = receipt(grant, "sh/property", OWNER, ASKER, s.time);
    assert.deepEqual(
      s.commit([s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [r])] })]),
      [null],
    );
    for (let i = 0; i < 80; i++) s.commit([]); // far past the age limit: the id leaves the duplicate window
    const proposal = derivedId(s.ledger.hasher, "proposal", OWNER, 3);
    s.commit([
      s.tx(OWNER, "governance.propose", {
        action: { type: "params.set", params: { receiptMaxAgeMs: 3_600_000 } },
      }),
      s.tx(ASKER, "governance.vote", { proposal, approve: true }),
      s.tx("gz.tax", "governance.vote", { proposal, approve: true }),
    ]);
    assert.equal(s.ledger.state.get(keys.params)?.receiptMaxAgeMs, 3_600_000);
    const again = s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [r])] });
    assert.deepEqual(s.commit([again]), ["RECEIPT_TIME"]);
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 1);
  });
});
