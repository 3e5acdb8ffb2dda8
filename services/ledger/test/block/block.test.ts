import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  BlockError,
  blockHash,
  type CommitCertificate,
  createVerifier,
  decodeBlock,
  decodeCommitCertificate,
  decodeEvidence,
  duplicateVoteEvidence,
  EncodingError,
  encodeBlock,
  encodeCommitCertificate,
  encodeEvidence,
  keys,
  lastCommitHash,
  verifyCommit,
  voteSignBytes,
} from "../../src/index.js";
import { certify, Scenario, T0, testSigner } from "../fixtures.js";

function codeOf(s: Scenario, mutate: (b: Block) => void): string {
  const block = s.block([]);
  mutate(block);
  try {
    s.ledger.execute(block);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof BlockError);
    return e.code;
  }
}

describe("blocks", () => {
  it("refuses headers that do not extend the head", () => {
    const s = new Scenario();
    assert.equal(
      codeOf(s, () => {}),
      "ok",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.height = 5;
      }),
      "WRONG_HEIGHT",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.prevHash = new Uint8Array(32);
      }),
      "WRONG_PREV_HASH",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.appHash = new Uint8Array(32);
      }),
      "WRONG_APP_HASH",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.time = 0;
      }),
      "TIME_NOT_INCREASING",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.proposer = "auditor";
      }),
      "UNKNOWN_PROPOSER",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.chain = "elsewhere";
      }),
      "WRONG_CHAIN",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.txs.push(new Uint8Array([1]));
      }),
      "WRONG_TX_ROOT",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.header.validatorsHash = new Uint8Array(32);
      }),
      "WRONG_VALIDATORS_HASH",
    );
    assert.equal(
      codeOf(s, (b) => {
        b.evidence.push(new Uint8Array([1]));
      }),
      "WRONG_EVIDENCE_ROOT",
    );
  });

  it("execute changes nothing until commit", () => {
    const s = new Scenario();
    const before = s.ledger.state.appHash();
    const outcome = s.ledger.execute(
      s.block([s.tx("sh.land-registry", "credit.transfer", { to: "bj.housing", amount: 1n, memo: "" })]),
    );
    assert.deepEqual(s.ledger.state.appHash(), before);
    assert.equal(s.ledger.head.height, 0);
    s.ledger.commit(outcome);
    assert.notDeepEqual(s.ledger.state.appHash(), before);
    assert.equal(s.ledger.state.get(keys.account("bj.housing"))?.balance, 501n);
  });

  it("round-trips blocks and commit certificates through their canonical bytes", () => {
    const s = new Scenario();
    const first = s.block([
      s.tx("sh.land-registry", "credit.transfer", { to: "bj.housing", amount: 1n, memo: "b" }),
    ]);
    s.commitBlock(first);
    const cert = certify(s.ledger, ["sh.land-registry", "bj.housing", "gz.tax"], first);
    const second = s.ledger.buildBlock({
      txs: [],
      time: s.time + 1000,
      proposer: "bj.housing",
      lastCommit: cert,
    });
    assert.deepEqual(decodeBlock(encodeBlock(second)), second);
    assert.deepEqual(decodeCommitCertificate(encodeCommitCertificate(cert)), cert);
    assert.throws(() => decodeBlock(encodeBlock(second).subarray(1)), EncodingError);
  });

  it("accepts a commit certificate only in canonical order with more than two thirds of the power", () => {
    const s = new Scenario();
    const block = s.block([]);
    s.commitBlock(block);
    const hash = blockHash(s.ledger.hasher, block.header);
    const check = (cert: CommitCertificate) =>
      verifyCommit(
        s.ledger.hasher,
        createVerifier(),
        "coken-test",
        cert,
        { height: 1, blockHash: hash },
        s.ledger.head.validators,
      );
    const sign = (signers: string[]) => certify(s.ledger, signers, block);
    assert.deepEqual(check(sign(["bj.housing", "gz.tax", "sh.land-registry"])), {
      ok: true,
      power: 30,
      total: 40,
    });
    assert.deepEqual(check(sign(["bj.housing", "sh.land-registry"])), { ok: false, reason: "NO_QUORUM" });
    assert.deepEqual(check(sign(["bj.housing", "bj.housing", "gz.tax", "sh.land-registry"])), {
      ok: false,
      reason: "DUPLICATE_VALIDATOR",
    });
    assert.deepEqual(check(sign(["bj.housing", "gz.tax", "sh.land-registry", "gz.tax"])), {
      ok: false,
      reason: "DUPLICATE_VALIDATOR",
    });
    assert.deepEqual(check(sign(["bj.housing", "sh.land-registry", "gz.tax"])), {
      ok: false,
      reason: "UNORDERED_SIGNATURES",
    });
    assert.deepEqual(check(sign(["auditor", "bj.housing", "gz.tax", "sh.land-registry"])), {
      ok: false,
      reason: "UNKNOWN_VALIDATOR",
    });
    assert.deepEqual(check(sign(["bj.housing", "gz.tax", "mallory", "sh.land-registry"])), {
      ok: false,
      reason: "UNKNOWN_VALIDATOR",
    });
    const forged = sign(["bj.housing", "gz.tax", "sh.land-registry"]);
    (forged.signatures[2] as { signature: Uint8Array }).signature = testSigner("mallory").sign(
      new Uint8Array(32),
    );
    assert.deepEqual(check(forged), { ok: false, reason: "BAD_SIGNATURE" });
    assert.deepEqual(check({ ...forged, height: 2 }), { ok: false, reason: "WRONG_BLOCK" });
    // A precommit of another round does not verify in this round's certificate.
    const good = sign(["bj.housing", "gz.tax", "sh.land-registry"]);
    assert.deepEqual(check({ ...good, round: 1 }), { ok: false, reason: "BAD_SIGNATURE" });
  });

  it("binds lastCommit in the next header and checks it against the set that decided the previous block", () => {
    const s = new Scenario();
    const first = s.block([]);
    assert.equal(
      codeOf(s, (b) => {
        b.lastCommit = certify(s.ledger, ["bj.housing", "gz.tax", "sh.land-registry"], first);
        b.header.lastCommitHash = lastCommitHash(s.ledger.hasher, b.lastCommit);
      }),
      "INVALID_LAST_COMMIT",
    );
    s.commitBlock(first);
    const codeAndCert = (lastCommit: CommitCertificate | null, bind = true): [string, string | null] => {
      const block = s.block([]);
      s.time -= 1000;
      block.lastCommit = lastCommit;
      if (bind) block.header.lastCommitHash = lastCommitHash(s.ledger.hasher, lastCommit);
      try {
        s.ledger.execute(block);
        return ["ok", null];
      } catch (e) {
        assert.ok(e instanceof BlockError);
        return [e.code, e.commitCode];
      }
    };
    const quorum = certify(s.ledger, ["bj.housing", "gz.tax", "sh.land-registry"], first);
    assert.deepEqual(codeAndCert(quorum), ["ok", null]);
    // The header binds the certificate the proposer chose: another valid one in its place is refused.
    assert.deepEqual(codeAndCert(quorum, false), ["WRONG_LAST_COMMIT_HASH", null]);
    assert.deepEqual(codeAndCert(null), ["INVALID_LAST_COMMIT", null]);
    assert.deepEqual(codeAndCert(certify(s.ledger, ["gz.tax", "sh.land-registry"], first)), [
      "INVALID_LAST_COMMIT",
      "NO_QUORUM",
    ]);
    assert.deepEqual(codeAndCert(certify(s.ledger, ["sh.land-registry", "gz.tax", "bj.housing"], first)), [
      "INVALID_LAST_COMMIT",
      "UNORDERED_SIGNATURES",
    ]);
    const other = s.block([new Uint8Array([1])]);
    s.time -= 1000;
    assert.deepEqual(codeAndCert(certify(s.ledger, ["bj.housing", "gz.tax", "sh.land-registry"], other)), [
      "INVALID_LAST_COMMIT",
      "WRONG_BLOCK",
    ]);
  });

  it("records double-vote evidence once, and refuses forged, premature, repeated or undecodable items", () => {
    const s = new Scenario();
    s.commitBlock(s.block([]));
    const h = s.ledger.hasher;
    const sign = (
      height: number,
      type: "prevote" | "precommit",
      blockHash: Uint8Array | null,
      signer = "bj.housing",
    ) => {
      const v = { type, height, round: 0, blockHash, time: T0 };
      const signature = testSigner(signer).sign(voteSignBytes(h, { chain: "coken-test", ...v }));
      return { ...v, validator: "bj.housing", signature };
    };
    const evidence = (height: number, type: "prevote" | "precommit", signer?: string) =>
      encodeEvidence(
        duplicateVoteEvidence(
          sign(height, type, new Uint8Array(32).fill(1)),
          sign(height, type, null, signer),
        ),
      );
    const build = (items: Uint8Array[]) =>
      s.ledger.buildBlock({
        txs: [],
        evidence: items,
        time: s.time + 1000,
        proposer: "sh.land-registry",
        lastCommit: s.lastCommit,
      });
    const codeFor = (items: Uint8Array[]) => {
      try {
        s.ledger.execute(build(items));
        return "ok";
      } catch (e) {
        assert.ok(e instanceof BlockError);
        return e.code;
      }
    };
    const good = evidence(1, "prevote");
    assert.equal(codeFor([new Uint8Array([0xa0])]), "INVALID_EVIDENCE");
    assert.equal(codeFor([evidence(1, "precommit", "mallory")]), "INVALID_EVIDENCE");
    assert.equal(codeFor([good, good]), "DUPLICATE_EVIDENCE");
    assert.equal(codeFor([evidence(2, "precommit")]), "INVALID_EVIDENCE"); // height 2 is being decided
    assert.throws(() => decodeEvidence(new Uint8Array([1, 2])), EncodingError);
    s.commitBlock(build([good]));
    s.time += 1000;
    const record = s.ledger.state.get(keys.evidence("bj.housing", 1, 0, "prevote"));
    assert.equal(record?.recordedAt, 2);
    assert.deepEqual(record?.blockHashes, [null, new Uint8Array(32).fill(1)]);
    assert.equal(codeFor([good]), "DUPLICATE_EVIDENCE");
    assert.equal(codeFor([evidence(2, "precommit")]), "ok");
  });
});
