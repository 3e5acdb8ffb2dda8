import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BLOCK_PART_BYTES,
  type BlockPart,
  encodeBlockPart,
  type ProposalHeader,
  proposalHeaderSignBytes,
  proposalMessages,
  proposerSchedule,
  type SignedProposal,
  signProposal,
  splitIntoParts,
  type ValidatorInfo,
} from "@coken/consensus";
import {
  type Block,
  createHasher,
  createVerifier,
  encodeBlock,
  evidenceRoot,
  lastCommitHash,
  txRoot,
} from "@coken/ledger";
import type { PeerId } from "@coken/p2p";
import {
  assemblyLimits,
  BlockPartAssembly,
  encodeProposalGossip,
  type PartAssemblyLimits,
} from "../src/block-parts.js";
import { silentLogger } from "../src/log.js";
import { AGENCIES, signerOf, T0 } from "./fixtures.js";

const CHAIN = "coken-peer-test";
const hasher = createHasher("sha256");
const VALIDATORS: ValidatorInfo[] = AGENCIES.map((agency) => ({
  agency,
  power: 10,
  publicKey: signerOf(agency).publicKey,
  keyScheme: "ed25519",
}));
const schedule = proposerSchedule(VALIDATORS);
// Gossip authors: the assembly only names them (toString) and passes them on.
const peer = (name: string) => ({ toString: () => name }) as PeerId;
const AUTHOR = peer("author");
const OTHER = peer("other");

/** A block of height 1 whose encoding takes `txParts` parts of txs (of 64 KiB each) and one more. */
function block(txParts: number, salt = 0): Block {
  const txs = Array.from({ length: txParts }, (_, i) =>
    Uint8Array.from({ length: BLOCK_PART_BYTES - 16 }, (_, j) => (i + j + salt) & 0xff),
  );
  return {
    header: {
      chain: CHAIN,
      height: 1,
      time: T0 + salt,
      prevHash: new Uint8Array(32),
      proposer: schedule.proposer(1, 0),
      txRoot: txRoot(hasher, txs),
      evidenceRoot: evidenceRoot(hasher, []),
      appHash: new Uint8Array(32),
      validatorsHash: new Uint8Array(32),
      lastCommitHash: lastCommitHash(hasher, null),
    },
    txs,
    evidence: [],
    lastCommit: null,
  };
}

/** A proposal of height 1 signed by `proposer` (by default the one the schedule names for `round`). */
function signed(round: number, b: Block, proposer = schedule.proposer(1, round)): SignedProposal {
  return signProposal(hasher, signerOf(proposer), CHAIN, {
    height: 1,
    round,
    polRound: -1,
    block: b,
    proposer,
  });
}

/** An assembly at height 1, round `at.round`, with what it delivered and reported. */
function setup(limits: Partial<PartAssemblyLimits> = {}) {
  const at = { height: 1, round: 0 };
  const delivered: SignedProposal[] = [];
  const reports: { peer: string; reason: string }[] = [];
  const assembly = new BlockPartAssembly(
    {
      hasher,
      verifier: createVerifier(),
      chain: CHAIN,
      position: () => at,
      validators: () => VALIDATORS,
      deliver: (p) => delivered.push(p),
      reportInvalid: (peer: PeerId, reason) => reports.push({ peer: peer.toString(), reason }),
      log: silentLogger,
    },
    { ...assemblyLimits(4 << 20), ...limits },
  );
  return { at, assembly, delivered, reports };
}

const flip = (part: BlockPart): BlockPart => {
  const bytes = part.bytes.slice();
  bytes[7] = (bytes[7] ?? 0) ^ 0xff;
  return { ...part, bytes };
};

describe("block part assembly", () => {
  it("delivers the proposal when its last part arrives, once; resends are ignored", () => {
    const { assembly, delivered, reports } = setup();
    const proposal = signed(0, block(3));
    const { header, parts } = proposalMessages(hasher, proposal);
    assert.equal(parts.length, 4);
    assert.equal(assembly.onHeader(header, AUTHOR), "opened");
    assert.equal(assembly.onHeader(header, OTHER), "duplicate");
    const outcomes = parts.map((p) => assembly.onPart(p, AUTHOR));
    assert.deepEqual(outcomes, ["added", "added", "added", "completed"]);
    assert.equal(delivered.length, 1);
    assert.deepEqual(delivered[0], proposal);
    assert.deepEqual(
      parts.map((p) => assembly.onPart(p, AUTHOR)),
      ["ignored", "ignored", "ignored", "ignored"],
    );
    assert.equal(assembly.onHeader(header, AUTHOR), "duplicate");
    assert.equal(delivered.length, 1);
    assert.deepEqual(reports, []);
    assert.deepEqual(assembly.held, { openSets: 0, earlyParts: 0 });
  });

  it("takes parts out of order, duplicated, and before their header", () => {
    const { assembly, delivered, reports } = setup();
    const proposal = signed(0, block(4));
    const { header, parts } = proposalMessages(hasher, proposal);
    const [p0, p1, p2, p3, p4] = parts as [BlockPart, BlockPart, BlockPart, BlockPart, BlockPart];
    assert.equal(assembly.onPart(p3, AUTHOR), "early");
    assert.equal(assembly.onPart(p3, AUTHOR), "duplicate");
    assert.equal(assembly.onPart(p1, OTHER), "early");
    assert.equal(assembly.held.earlyParts, 2);
    assert.equal(assembly.onHeader(header, AUTHOR), "opened");
    assert.equal(assembly.held.earlyParts, 0, "the waiting parts verified and were taken");
    assert.equal(assembly.onPart(p4, AUTHOR), "added");
    assert.equal(assembly.onPart(p1, AUTHOR), "duplicate");
    assert.equal(assembly.onPart(p0, AUTHOR), "added");
    assert.equal(delivered.length, 0);
    assert.equal(assembly.onPart(p2, AUTHOR), "completed");
    assert.deepEqual(delivered, [proposal]);
    assert.deepEqual(reports, []);
  });

  it("refuses a tampered part and reports its author; the genuine part still completes the set", () => {
    const { assembly, delivered, reports } = setup();
    const { header, parts } = proposalMessages(hasher, signed(0, block(1)));
    const [p0, p1] = parts as [BlockPart, BlockPart];
    assembly.onHeader(header, AUTHOR);
    assert.equal(assembly.onPart(flip(p0), OTHER), "invalid");
    assert.equal(assembly.onPart({ ...p0, proof: [] }, OTHER), "invalid");
    assert.equal(assembly.onPart({ ...p0, index: 1 }, OTHER), "invalid");
    assert.equal(assembly.onPart({ ...p1, index: 9 }, OTHER), "invalid");
    assert.deepEqual(
      reports.map((r) => `${r.peer}:${r.reason}`),
      Array(4).fill("other:invalid-block-part"),
    );
    assert.equal(assembly.onPart(p1, AUTHOR), "added");
    assert.equal(assembly.onPart(p0, AUTHOR), "completed");
    assert.equal(delivered.length, 1);
  });

  it("opens no part set for a header with a bad signature (reported) or from another proposer (not reported)", () => {
    const { assembly, reports } = setup();
    const { header, parts } = proposalMessages(hasher, signed(0, block(1)));
    const forged: ProposalHeader = { ...header, blockHash: new Uint8Array(32) };
    assert.equal(assembly.onHeader(forged, OTHER), "bad-signature");
    assert.deepEqual(reports, [{ peer: "other", reason: "invalid-proposal-header" }]);
    const intruder = AGENCIES.find((a) => a !== schedule.proposer(1, 0)) as string;
    const notProposer = proposalMessages(hasher, signed(0, block(1), intruder)).header;
    assert.equal(assembly.onHeader(notProposer, OTHER), "not-proposer");
    assert.equal(reports.length, 1);
    assert.equal(assembly.onPart(parts[0] as BlockPart, AUTHOR), "early", "no set: the part waits");
  });

  it("a proposer whose parts are no block, or another block than it signed, has its proposal dropped and is reported", () => {
    const { assembly, delivered, reports } = setup();
    // A header the proposer signed over the root of bytes that do not decode.
    const proposer = schedule.proposer(1, 0);
    const junk = new Uint8Array(BLOCK_PART_BYTES + 10).fill(7);
    const good = proposalMessages(hasher, signed(0, block(1)));
    const { header: junkHeader, parts: junkParts } = signedHeaderOver(junk, good.header.blockHash, proposer);
    assert.equal(assembly.onHeader(junkHeader, AUTHOR), "opened");
    assert.deepEqual(
      junkParts.map((p) => assembly.onPart(p, AUTHOR)),
      ["added", "completed"],
    );
    // A header naming one block hash over the bytes of another block.
    const other = encodeBlock(block(1, 5));
    const { header: swapped, parts: swappedParts } = signedHeaderOver(other, good.header.blockHash, proposer);
    assert.equal(assembly.onHeader(swapped, AUTHOR), "opened");
    for (const p of swappedParts) assembly.onPart(p, AUTHOR);
    assert.equal(delivered.length, 0);
    assert.deepEqual(
      reports.map((r) => r.reason),
      ["invalid-proposal-block", "invalid-proposal-block"],
    );
  });

  it("bounds what it holds: rounds ahead, headers per round, open sets, early parts per author, parts per block", () => {
    const { at, assembly } = setup({
      maxOpenSets: 2,
      maxHeadersPerRound: 2,
      maxEarlyPartsPerAuthor: 3,
      maxParts: 4,
    });
    const gossip = (round: number, salt = 0, txParts = 1) =>
      proposalMessages(hasher, signed(round, block(txParts, salt)));
    assert.equal(assembly.onHeader(gossip(5).header, AUTHOR), "future-round");
    assert.equal(assembly.onPart(gossip(5).parts[0] as BlockPart, AUTHOR), "future-round");
    assert.equal(assembly.onHeader({ ...gossip(0).header, height: 2 }, AUTHOR), "other-height");
    assert.equal(assembly.onHeader(gossip(0, 0, 4).header, AUTHOR), "too-large");
    // An equivocating proposer: two headers of round 1 are kept, a third is not.
    assert.equal(assembly.onHeader(gossip(1, 1).header, AUTHOR), "opened");
    assert.equal(assembly.onHeader(gossip(1, 2).header, AUTHOR), "opened");
    assert.equal(assembly.onHeader(gossip(1, 3).header, AUTHOR), "round-full");
    // Two sets are open (the bound): a farther round waits; a nearer one takes the farthest set's place.
    assert.equal(assembly.onHeader(gossip(3).header, AUTHOR), "no-room");
    at.round = 3;
    assert.equal(assembly.onHeader(gossip(3).header, AUTHOR), "opened");
    assert.equal(assembly.held.openSets, 2);
    // Early parts: three per author, the oldest dropped first.
    for (const salt of [1, 2, 3, 4])
      assembly.onPart({ ...(gossip(4).parts[0] as BlockPart), index: salt }, OTHER);
    assert.equal(assembly.held.earlyParts, 3);
    // The next height forgets everything of this one.
    at.height = 2;
    at.round = 0;
    assert.deepEqual(assembly.held, { openSets: 0, earlyParts: 0 });
  });

  it("encodes a proposal as a header and parts, each within its gossip bound", () => {
    const proposal = signed(0, block(20));
    const gossip = encodeProposalGossip(hasher, proposal);
    assert.ok(gossip.header.length < 1024);
    assert.equal(gossip.parts.length, 21);
    for (const p of gossip.parts) assert.ok(p.length <= BLOCK_PART_BYTES + 1024);
    assert.deepEqual(
      gossip.parts[0],
      encodeBlockPart(proposalMessages(hasher, proposal).parts[0] as BlockPart),
    );
  });
});

/** A header of round 0 that `proposer` signed naming `blockHash` over the part set of `bytes` (its own wrongdoing). */
function signedHeaderOver(bytes: Uint8Array, blockHash: Uint8Array, proposer: string) {
  const split = splitIntoParts(hasher, bytes);
  const body = { height: 1, round: 0, polRound: -1, blockHash, parts: split.header, proposer };
  const signature = signerOf(proposer).sign(proposalHeaderSignBytes(hasher, CHAIN, body));
  const header: ProposalHeader = { ...body, signature };
  const parts = split.parts.map(({ index, bytes: b, proof }) => ({
    height: 1,
    round: 0,
    index,
    bytes: b,
    proof,
  }));
  return { header, parts };
}
