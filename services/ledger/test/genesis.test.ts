import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVerifier, GenesisError, genesisState, keys, Ledger, parseGenesis } from "../src/index.js";
import { testGenesisDoc } from "./fixtures.js";

function errorPath(doc: unknown): string {
  try {
    parseGenesis(doc);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof GenesisError, String(e));
    return e.path;
  }
}

describe("genesis", () => {
  it("builds the height-0 state from the file", () => {
    const g = parseGenesis(testGenesisDoc());
    const state = genesisState(g);
    assert.equal(state.get(keys.account("sh.land-registry"))?.balance, 1000n);
    assert.equal(state.get(keys.params)?.epochLength, 5);
    assert.equal(state.get(keys.params)?.receiptMaxAgeMs, 3_600_000);
    assert.equal(state.get(keys.validators)?.validators.length, 4);
    assert.deepEqual(Ledger.fromGenesis(g, createVerifier()).head.appHash, state.appHash());
  });

  it("refuses malformed genesis files with the offending path", () => {
    const doc = testGenesisDoc();
    const agencies = doc.agencies as Record<string, unknown>[];
    assert.equal(errorPath(null), "$");
    assert.equal(errorPath({ ...doc, chainId: "Bad Chain" }), "$.chainId");
    assert.equal(errorPath({ ...doc, genesisTime: "yesterday" }), "$.genesisTime");
    assert.equal(errorPath({ ...doc, hashAlgorithm: "md5" }), "$.hashAlgorithm");
    assert.equal(errorPath({ ...doc, params: { epochLength: 0 } }), "$.params");
    assert.equal(errorPath({ ...doc, params: { blockSize: 1 } }), "$.params.blockSize");
    assert.equal(
      errorPath({ ...doc, agencies: [{ ...agencies[0], publicKey: "abcd" }] }),
      "$.agencies[0].publicKey",
    );
    assert.equal(errorPath({ ...doc, agencies: [agencies[0], agencies[0]] }), "$.agencies");
    assert.equal(errorPath({ ...doc, validators: [] }), "$.validators");
    assert.equal(errorPath({ ...doc, validators: [{ agency: "auditor", power: 1 }] }), "$.validators[0]");
    assert.equal(
      errorPath({ ...doc, agencies: [{ ...agencies[0], balance: "-1" }] }),
      "$.agencies[0].balance",
    );
  });
});
