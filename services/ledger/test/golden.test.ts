import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createVerifier, decodeBlock, fromHex, Ledger, parseGenesis, toHex } from "../src/index.js";
import { buildGoldenChain, type GoldenChain } from "./vectors/build.js";

function load(alg: string): GoldenChain {
  return JSON.parse(readFileSync(new URL(`../../test/vectors/chain-${alg}.json`, import.meta.url), "utf8"));
}

/** Replays a golden file from its bytes alone, the way an independent verifier would. */
function replay(v: GoldenChain): void {
  const ledger = Ledger.fromGenesis(parseGenesis(v.genesis), createVerifier());
  assert.equal(toHex(ledger.state.appHash()), v.genesisAppHash);
  for (const [i, b] of v.blocks.entries()) {
    const block = decodeBlock(fromHex(b.block) as Uint8Array);
    const committed = ledger.apply(block);
    assert.equal(toHex(committed.outcome.hash), b.blockHash, `block hash at height ${i + 1}`);
    assert.equal(toHex(committed.appHash), b.appHash, `app hash at height ${i + 1}`);
    assert.deepEqual(
      committed.outcome.txs.map((t) => t.code),
      b.results,
    );
  }
}

describe("golden vectors", () => {
  for (const alg of ["sha256", "sm3"]) {
    it(`replays chain-${alg}.json to the recorded app hashes`, () => replay(load(alg)));
    it(`chain-${alg}.json is what the current code builds`, () => {
      assert.deepEqual(JSON.parse(JSON.stringify(buildGoldenChain(alg as "sha256" | "sm3"))), load(alg));
    });
  }

  it("a tampered block is refused", () => {
    const v = load("sha256");
    const ledger = Ledger.fromGenesis(parseGenesis(v.genesis), createVerifier());
    const bytes = fromHex(v.blocks[0]?.block as string) as Uint8Array;
    const block = decodeBlock(bytes);
    block.txs.pop();
    assert.throws(() => ledger.apply(block), { code: "WRONG_TX_ROOT" });
  });

  it("sha256 and sm3 chains differ in every hash", () => {
    const a = load("sha256");
    const b = load("sm3");
    assert.notEqual(a.genesisAppHash, b.genesisAppHash);
    for (const [i, blk] of a.blocks.entries()) assert.notEqual(blk.appHash, b.blocks[i]?.appHash);
  });
});
