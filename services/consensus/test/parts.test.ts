import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Block, encodeBlock } from "@coken/ledger";
import fc from "fast-check";
import {
  assembleProposal,
  BLOCK_PART_BYTES,
  checkProposalHeader,
  createValidatorSet,
  joinParts,
  MAX_BLOCK_PARTS,
  type Part,
  partCount,
  partSetHeader,
  proposalMessages,
  splitIntoParts,
  type ValidatorInfo,
  verifyPart,
  verifyProposalSignature,
} from "../src/index.js";
import { CHAIN, hasher, proposal, T0, testBlock, VALIDATORS, verifier } from "./helpers.js";

const SMALL = 16; // a part size that keeps property runs fast; the code path is the same as for 64 KiB

function bytesOf(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

/** A block whose encoding takes `parts` full parts of 64 KiB and a bit. */
function bigBlock(parts: number): Block {
  const block = testBlock(1, "a");
  const txs = Array.from({ length: parts }, (_, i) => bytesOf(BLOCK_PART_BYTES, i));
  return { ...block, txs };
}

describe("block part set", () => {
  it("splits and joins back to the same bytes; every part verifies; all but the last are full", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (b, size) => {
          const { header, parts } = splitIntoParts(hasher, b, size);
          assert.equal(header.total, Math.ceil(b.length / size));
          assert.equal(parts.length, header.total);
          assert.deepEqual(joinParts(parts.map((p) => p.bytes)), b);
          assert.deepEqual(partSetHeader(hasher, b, size), header);
          for (const p of parts) {
            assert.ok(verifyPart(hasher, header, p, size), `part ${p.index}`);
            if (p.index < header.total - 1) assert.equal(p.bytes.length, size);
          }
          const last = parts[parts.length - 1] as Part;
          assert.equal(last.bytes.length, b.length - (header.total - 1) * size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("cuts at the part size: exact multiples have a full last part, one byte more makes a one-byte part", () => {
    assert.equal(splitIntoParts(hasher, bytesOf(SMALL * 3), SMALL).parts.length, 3);
    const { parts } = splitIntoParts(hasher, bytesOf(SMALL * 3 + 1), SMALL);
    assert.equal(parts.length, 4);
    assert.equal(parts[3]?.bytes.length, 1);
    const one = splitIntoParts(hasher, bytesOf(1), SMALL);
    assert.equal(one.header.total, 1);
    assert.deepEqual(one.parts[0]?.proof, []);
    assert.ok(verifyPart(hasher, one.header, one.parts[0] as Part, SMALL));
  });

  it("refuses a tampered part, proof or index, and parts of the wrong size for their position", () => {
    const { header, parts } = splitIntoParts(hasher, bytesOf(SMALL * 5 + 3), SMALL);
    const ok = (p: Part) => verifyPart(hasher, header, p, SMALL);
    const p1 = parts[1] as Part;
    const last = parts[5] as Part;
    const flipped = p1.bytes.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    assert.equal(ok({ ...p1, bytes: flipped }), false, "a changed byte");
    const badSibling = p1.proof.map((s, i) => (i === 0 ? s.map((x, j) => (j === 0 ? x ^ 1 : x)) : s));
    assert.equal(ok({ ...p1, proof: badSibling }), false, "a changed sibling");
    assert.equal(ok({ ...p1, proof: p1.proof.slice(1) }), false, "a sibling missing");
    assert.equal(ok({ ...p1, proof: [...p1.proof, p1.proof[0] as Uint8Array] }), false, "a sibling too many");
    assert.equal(ok({ ...p1, index: 2 }), false, "another index");
    assert.equal(ok({ ...p1, index: 6 }), false, "an index past the total");
    assert.equal(ok({ ...p1, index: -1 }), false, "a negative index");
    assert.equal(ok({ ...p1, index: 1.5 }), false, "a fractional index");
    assert.equal(ok({ ...last, bytes: new Uint8Array(0) }), false, "an empty last part");
    // Another total changes the right edge of the tree: the last part, or one claimed to be last, fails.
    assert.equal(verifyPart(hasher, { ...header, total: 7 }, last, SMALL), false, "another total");
    assert.equal(
      verifyPart(hasher, { ...header, total: 5 }, parts[4] as Part, SMALL),
      false,
      "a total short",
    );
    assert.equal(verifyPart(hasher, { ...header, total: 0 }, p1, SMALL), false, "no parts");
    // The same bytes cut unevenly (a short part before the last) do not verify, even with a matching root.
    const uneven = splitIntoParts(hasher, bytesOf(SMALL - 1), SMALL);
    const shortFirst = { ...uneven.parts[0], index: 0 } as Part;
    const twoHeader = { total: 2, root: uneven.header.root };
    assert.equal(
      verifyPart(hasher, twoHeader, shortFirst, SMALL),
      false,
      "a short part that is not the last",
    );
  });

  it("refuses empty input, bad part sizes and more than MAX_BLOCK_PARTS parts", () => {
    assert.throws(() => splitIntoParts(hasher, new Uint8Array(0)), RangeError);
    assert.throws(() => partSetHeader(hasher, new Uint8Array(0)), RangeError);
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => splitIntoParts(hasher, bytesOf(10), size), RangeError, `size ${size}`);
    assert.throws(() => partSetHeader(hasher, new Uint8Array(MAX_BLOCK_PARTS + 1), 1), RangeError);
  });

  it("bounds the parts of a block by maxBlockBytes / part size", () => {
    assert.equal(partCount(3 << 20), 48);
    assert.equal(partCount((3 << 20) + 1), 49);
    assert.equal(partCount(1), 1);
    // The largest configurable block (2^30 bytes) stays far within the codec's part bound.
    assert.ok(partCount(1 << 30) * 4 <= MAX_BLOCK_PARTS);
    const block = bigBlock(3);
    const bytes = encodeBlock(block);
    assert.equal(splitIntoParts(hasher, bytes).header.total, partCount(bytes.length));
    assert.equal(partCount(bytes.length), 4, "three 64 KiB txs and the rest of the block");
  });
});

describe("proposals in parts", () => {
  const validators = createValidatorSet(VALIDATORS);

  it("a proposal's parts reassemble into the signed proposal; its header carries the proposer's signature", () => {
    const p = proposal("a", 0, bigBlock(2));
    const { header, parts } = proposalMessages(hasher, p);
    assert.equal(header.parts.total, 3);
    assert.equal(checkProposalHeader(hasher, verifier, CHAIN, header, validators), null);
    for (const part of parts) assert.ok(verifyPart(hasher, header.parts, part));
    const out = assembleProposal(hasher, header, joinParts(parts.map((x) => x.bytes)));
    assert.ok(out.ok);
    assert.deepEqual(out.proposal, p);
    assert.ok(verifyProposalSignature(hasher, verifier, CHAIN, out.proposal, VALIDATORS[0] as ValidatorInfo));
  });

  it("the signature binds every byte of the block: another lastCommit or evidence breaks it", () => {
    const p = proposal("a", 0, testBlock(1, "a"));
    const a = VALIDATORS[0] as ValidatorInfo;
    assert.ok(verifyProposalSignature(hasher, verifier, CHAIN, p, a));
    const withEvidence = { ...p, block: { ...p.block, evidence: [bytesOf(8)] } };
    assert.equal(verifyProposalSignature(hasher, verifier, CHAIN, withEvidence, a), false);
    const cert = { height: 0, round: 0, blockHash: new Uint8Array(32), signatures: [] };
    const withCommit = { ...p, block: { ...p.block, lastCommit: cert } };
    assert.equal(verifyProposalSignature(hasher, verifier, CHAIN, withCommit, a), false);
  });

  it("refuses headers from another proposer, with a bad signature, or for another chain", () => {
    const { header } = proposalMessages(hasher, proposal("a", 0, testBlock(1, "a")));
    assert.equal(
      checkProposalHeader(hasher, verifier, CHAIN, { ...header, round: 1 }, validators),
      "NOT_PROPOSER",
    );
    const forged = { ...header, blockHash: new Uint8Array(32) };
    assert.equal(checkProposalHeader(hasher, verifier, CHAIN, forged, validators), "BAD_SIGNATURE");
    assert.equal(checkProposalHeader(hasher, verifier, "other-chain", header, validators), "BAD_SIGNATURE");
  });

  it("parts that do not decode to a block, or to one with another hash, are no proposal", () => {
    const block = testBlock(1, "a");
    const { header } = proposalMessages(hasher, proposal("a", 0, block));
    const garbage = assembleProposal(hasher, header, bytesOf(100));
    assert.equal(garbage.ok ? "ok" : garbage.failure, "UNDECODABLE_BLOCK");
    const other = encodeBlock({ ...block, header: { ...block.header, time: T0 + 1 } });
    const wrong = assembleProposal(hasher, header, other);
    assert.equal(wrong.ok ? "ok" : wrong.failure, "WRONG_BLOCK_HASH");
  });
});
