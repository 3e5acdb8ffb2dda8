import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  BlockError,
  createVerifier,
  decodeBlock,
  decodeCommitCertificate,
  fromHex,
  Ledger,
  parseGenesis,
  toHex,
} from "../src/index.js";
import { buildGoldenChain, type GoldenChain } from "./vectors/build.js";
import { buildRefusalVectors, type RefusalVectors } from "./vectors/refusals.js";

function read<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), "utf8"));
}

function load(alg: string): GoldenChain {
  return read(`chain-${alg}.json`);
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
  // The last block is authenticated by its seen commit; every other one by the next block's lastCommit.
  assert.deepEqual(ledger.verifyHeadCommit(decodeCommitCertificate(fromHex(v.seenCommit) as Uint8Array)), {
    ok: true,
    power: 40,
    total: 40,
  });
}

describe("golden vectors", () => {
  for (const alg of ["sha256", "sm3"]) {
    it(`replays chain-${alg}.json to the recorded app hashes`, () => replay(load(alg)));
    it(`chain-${alg}.json is what the current code builds`, () => {
      assert.deepEqual(JSON.parse(JSON.stringify(buildGoldenChain(alg as "sha256" | "sm3"))), load(alg));
    });
  }

  it("commit-refusals.json: each case block is refused with its codes, and is what the current code builds", () => {
    const chain = load("sha256");
    const vectors = read<RefusalVectors>("commit-refusals.json");
    assert.deepEqual(JSON.parse(JSON.stringify(buildRefusalVectors(chain))), vectors);
    const seen = new Set<string>();
    for (const c of vectors.cases) {
      const ledger = Ledger.fromGenesis(parseGenesis(chain.genesis), createVerifier());
      for (const b of chain.blocks.slice(0, c.after))
        ledger.apply(decodeBlock(fromHex(b.block) as Uint8Array));
      const block = decodeBlock(fromHex(c.block) as Uint8Array);
      let got: [string | null, string | null] = [null, null];
      try {
        ledger.apply(block);
      } catch (e) {
        assert.ok(e instanceof BlockError, c.name);
        got = [e.code, e.commitCode];
      }
      assert.deepEqual(got, [c.error, c.certificateError], c.name);
      seen.add(`${c.error}/${c.certificateError}`);
    }
    for (const code of [
      "WRONG_BLOCK",
      "UNKNOWN_VALIDATOR",
      "DUPLICATE_VALIDATOR",
      "UNORDERED_SIGNATURES",
      "BAD_SIGNATURE",
      "NO_QUORUM",
    ]) {
      assert.ok(seen.has(`INVALID_LAST_COMMIT/${code}`), code);
    }
    assert.ok(seen.has("WRONG_LAST_COMMIT_HASH/null"));
  });

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
