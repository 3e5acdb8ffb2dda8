import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CborMap,
  createVerifier,
  decodeCbor,
  decodeTx,
  derivedId,
  EncodingError,
  encodeCbor,
  fromHex,
  GenesisError,
  isWeakEd25519Key,
  keys,
  parseGenesis,
} from "../../src/index.js";
import {
  datasetPayload,
  receipt,
  Scenario,
  signedBatch,
  testGenesis,
  testGenesisDoc,
  testSigner,
} from "../fixtures.js";

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

describe("weak keys", () => {
  const SMALL_ORDER_KEYS = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  ];

  it("refuses small-order Ed25519 keys in genesis, admission and verification", () => {
    for (const hex of SMALL_ORDER_KEYS) {
      const key = fromHex(hex) as Uint8Array;
      assert.ok(isWeakEd25519Key(key), hex);
      // With the identity key, an all-zero R and S = 0 would "verify" any message under lax rules.
      const forged = new Uint8Array(64);
      forged.set(key.subarray(0, 32));
      assert.equal(createVerifier().verify("ed25519", key, new Uint8Array([1]), forged), false);
      const doc = testGenesisDoc();
      const agencies = doc.agencies as Record<string, unknown>[];
      assert.throws(
        () => parseGenesis({ ...doc, agencies: [{ ...agencies[0], publicKey: hex }, ...agencies.slice(1)] }),
        GenesisError,
      );
    }
    assert.ok(!isWeakEd25519Key(testSigner("x").publicKey));
    const s = new Scenario();
    const admit = {
      type: "agency.admit" as const,
      agency: {
        id: "weak",
        name: "w",
        region: "CN",
        publicKey: fromHex(SMALL_ORDER_KEYS[0] as string) as Uint8Array,
        keyScheme: "ed25519" as const,
        roles: ["member" as const],
      },
    };
    assert.deepEqual(s.commit([s.tx(OWNER, "governance.propose", { action: admit })]), ["INVALID_FIELD"]);
  });
});
