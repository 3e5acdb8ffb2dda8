import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Block, type CommitCertificate, EncodingError } from "@coken/ledger";
import fc from "fast-check";
import {
  BLOCK_PART_BYTES,
  type BlockPart,
  decodeBlockPart,
  decodeEvidence,
  decodeMessage,
  decodeProposal,
  decodeProposalHeader,
  decodeVote,
  duplicateVoteEvidence,
  encodeBlockPart,
  encodeEvidence,
  encodeMessage,
  encodeProposal,
  encodeProposalHeader,
  encodeVote,
  MAX_BLOCK_PART_MESSAGE_BYTES,
  MAX_BLOCK_PARTS,
  MAX_PROPOSAL_HEADER_BYTES,
  type ProposalHeader,
  type SignedProposal,
  type SignedVote,
} from "../src/index.js";

// Plain objects only: the decoders build ordinary objects, and deepEqual compares prototypes.
function rec<T>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(shape, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

const id = fc.stringMatching(/^[a-z0-9](?:[a-z0-9.-]{0,14}[a-z0-9])?$/);
const uint = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const small = fc.integer({ min: 0, max: 1000 });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const sig = fc.uint8Array({ maxLength: 128 });

const voteArb: fc.Arbitrary<SignedVote> = rec({
  type: fc.constantFrom("prevote" as const, "precommit" as const),
  height: uint,
  round: small,
  blockHash: fc.option(hash, { nil: null }),
  validator: id,
  time: uint,
  signature: sig,
});

const certArb: fc.Arbitrary<CommitCertificate> = rec({
  height: uint,
  round: small,
  blockHash: hash,
  signatures: fc.array(rec({ validator: id, time: uint, signature: sig }), { minLength: 1, maxLength: 3 }),
});

const blockArb: fc.Arbitrary<Block> = rec({
  header: rec({
    chain: id,
    height: uint,
    time: uint,
    prevHash: hash,
    proposer: id,
    txRoot: hash,
    evidenceRoot: hash,
    appHash: hash,
    validatorsHash: hash,
    lastCommitHash: hash,
  }),
  txs: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
  evidence: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 2 }),
  lastCommit: fc.option(certArb, { nil: null }),
});

const proposalArb: fc.Arbitrary<SignedProposal> = fc
  .record({ height: uint, round: small, block: blockArb, proposer: id, signature: sig, pol: small })
  .map(({ pol, ...p }) => ({ ...p, polRound: p.round === 0 ? -1 : (pol % (p.round + 1)) - 1 }));

const headerArb: fc.Arbitrary<ProposalHeader> = fc
  .record({
    height: uint,
    round: small,
    blockHash: hash,
    parts: rec({ total: fc.integer({ min: 1, max: MAX_BLOCK_PARTS }), root: hash }),
    proposer: id,
    signature: sig,
    pol: small,
  })
  .map(({ pol, ...p }) => ({ ...p, polRound: p.round === 0 ? -1 : (pol % (p.round + 1)) - 1 }));

const partArb: fc.Arbitrary<BlockPart> = rec({
  height: uint,
  round: small,
  index: uint,
  bytes: fc.uint8Array({ minLength: 1, maxLength: 100 }),
  proof: fc.array(hash, { maxLength: 16 }),
});

function onlyEncodingErrors(decode: (b: Uint8Array) => unknown, b: Uint8Array): void {
  try {
    decode(b);
  } catch (e) {
    assert.ok(e instanceof EncodingError, `unexpected ${e}`);
  }
}

describe("consensus codecs", () => {
  it("round-trips votes, proposals and messages canonically", () => {
    fc.assert(
      fc.property(voteArb, proposalArb, (vote, proposal) => {
        const v = encodeVote(vote);
        assert.deepEqual(decodeVote(v), vote);
        assert.deepEqual(encodeVote(decodeVote(v)), v);
        const p = encodeProposal(proposal);
        assert.deepEqual(decodeProposal(p), proposal);
        assert.deepEqual(encodeProposal(decodeProposal(p)), p);
        assert.deepEqual(decodeMessage(encodeMessage({ kind: "vote", vote })), { kind: "vote", vote });
        assert.deepEqual(decodeMessage(encodeMessage({ kind: "proposal", proposal })), {
          kind: "proposal",
          proposal,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips proposal headers and block parts canonically", () => {
    fc.assert(
      fc.property(headerArb, partArb, (header, part) => {
        const h = encodeProposalHeader(header);
        assert.deepEqual(decodeProposalHeader(h), header);
        assert.deepEqual(encodeProposalHeader(decodeProposalHeader(h)), h);
        const p = encodeBlockPart(part);
        assert.deepEqual(decodeBlockPart(p), part);
        assert.deepEqual(encodeBlockPart(decodeBlockPart(p)), p);
      }),
      { numRuns: 300 },
    );
  });

  it("bounds a header and a part message: the largest of each fits the gossip bounds, anything larger is refused", () => {
    const max = Number.MAX_SAFE_INTEGER;
    const header: ProposalHeader = {
      height: max,
      round: max,
      polRound: max - 1,
      blockHash: new Uint8Array(32),
      parts: { total: MAX_BLOCK_PARTS, root: new Uint8Array(32) },
      proposer: "a".repeat(64),
      signature: new Uint8Array(128),
    };
    assert.ok(encodeProposalHeader(header).length <= MAX_PROPOSAL_HEADER_BYTES);
    const part: BlockPart = {
      height: max,
      round: max,
      index: max,
      bytes: new Uint8Array(BLOCK_PART_BYTES),
      proof: Array.from({ length: 16 }, () => new Uint8Array(32)),
    };
    assert.ok(encodeBlockPart(part).length <= MAX_BLOCK_PART_MESSAGE_BYTES);
    const refused = (f: () => unknown) => assert.throws(f, EncodingError);
    refused(() => decodeBlockPart(encodeBlockPart({ ...part, bytes: new Uint8Array(BLOCK_PART_BYTES + 1) })));
    refused(() => decodeBlockPart(encodeBlockPart({ ...part, proof: [...part.proof, new Uint8Array(32)] })));
    refused(() => decodeBlockPart(encodeBlockPart({ ...part, proof: [new Uint8Array(31)] })));
    refused(() =>
      decodeProposalHeader(encodeProposalHeader({ ...header, parts: { ...header.parts, total: 0 } })),
    );
    const tooMany = { ...header, parts: { ...header.parts, total: MAX_BLOCK_PARTS + 1 } };
    refused(() => decodeProposalHeader(encodeProposalHeader(tooMany)));
    refused(() => decodeProposalHeader(encodeProposalHeader({ ...header, round: 2, polRound: 2 })));
    // A whole proposal is not a header, and a header is not a proposal.
    const p = fc.sample(proposalArb, { numRuns: 1, seed: 1 })[0] as SignedProposal;
    refused(() => decodeProposalHeader(encodeProposal(p)));
    refused(() => decodeProposal(encodeProposalHeader(header)));
  });

  it("round-trips evidence in canonical order and refuses it out of order or not conflicting", () => {
    fc.assert(
      fc.property(voteArb, fc.option(hash, { nil: null }), (a, other) => {
        fc.pre(
          other === null
            ? a.blockHash !== null
            : a.blockHash === null || Buffer.compare(a.blockHash, other) !== 0,
        );
        const b = { ...a, blockHash: other };
        const ev = duplicateVoteEvidence(a, b);
        assert.deepEqual(duplicateVoteEvidence(b, a), ev);
        const raw = encodeEvidence(ev);
        assert.deepEqual(decodeEvidence(raw), ev);
        const swapped = encodeEvidence({ voteA: ev.voteB, voteB: ev.voteA });
        assert.throws(() => decodeEvidence(swapped), EncodingError);
        assert.throws(() => decodeEvidence(encodeEvidence({ voteA: a, voteB: a })), EncodingError);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a POL round that is not below the round", () => {
    const p = fc.sample(proposalArb, { numRuns: 1, seed: 1 })[0] as SignedProposal;
    assert.throws(() => decodeProposal(encodeProposal({ ...p, round: 2, polRound: 2 })), EncodingError);
    assert.throws(() => decodeProposal(encodeProposal({ ...p, round: 2, polRound: -2 })), EncodingError);
  });

  it("throws nothing but EncodingError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        onlyEncodingErrors(decodeVote, b);
        onlyEncodingErrors(decodeProposal, b);
        onlyEncodingErrors(decodeMessage, b);
        onlyEncodingErrors(decodeEvidence, b);
        onlyEncodingErrors(decodeProposalHeader, b);
        onlyEncodingErrors(decodeBlockPart, b);
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated, truncated or extended encodings decode to canonical bytes or fail typed", () => {
    fc.assert(
      fc.property(
        voteArb,
        proposalArb,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (vote, proposal, at, byte) => {
          const cases: [Uint8Array, (b: Uint8Array) => Uint8Array][] = [
            [encodeMessage({ kind: "vote", vote }), (b) => encodeMessage(decodeMessage(b))],
            [encodeMessage({ kind: "proposal", proposal }), (b) => encodeMessage(decodeMessage(b))],
          ];
          for (const [valid, roundTrip] of cases) {
            const mutated = valid.slice();
            mutated[at % valid.length] = byte;
            for (const b of [
              mutated,
              valid.subarray(0, at % valid.length),
              new Uint8Array([...valid, byte]),
            ]) {
              try {
                assert.deepEqual(roundTrip(b), b);
              } catch (e) {
                assert.ok(e instanceof EncodingError, `unexpected ${e}`);
              }
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
