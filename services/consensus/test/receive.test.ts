import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex, verifyCommit } from "@coken/ledger";
import { decodeEvidence, encodeEvidence, type SignedVote, verifyEvidence } from "../src/index.js";
import {
  CHAIN,
  hasher,
  hashOf,
  Node,
  proposal,
  T0,
  testBlock,
  testSigner,
  VALIDATORS,
  verifier,
  vote,
  votesIn,
} from "./helpers.js";

const B = testBlock(1, "a");
const D = testBlock(1, "b", 1);

describe("vote bookkeeping", () => {
  it("drops votes with bad signatures or from non-validators, counting the reason", () => {
    const n = new Node("b");
    n.start();
    const good = vote("c", "prevote", 0, B);
    const forged: SignedVote = { ...good, signature: new Uint8Array(64).fill(7) };
    n.votes(forged);
    const wrongChain: SignedVote = { ...vote("d", "prevote", 0, B), time: T0 + 1 };
    n.votes(wrongChain);
    n.votes(vote("mallory", "prevote", 0, B));
    assert.equal(n.state.dropped.BAD_SIGNATURE, 2);
    assert.equal(n.state.dropped.UNKNOWN_VALIDATOR, 1);
    assert.equal(n.state.log.get(0)?.prevote.total ?? 0, 0);
    n.votes(good, good);
    assert.equal(n.state.log.get(0)?.prevote.total, 1);
    assert.equal(n.state.dropped.DUPLICATE, 1);
  });

  it("reports a double vote once as evidence that verifies and round-trips; it counts only for its own value", () => {
    const n = new Node("b");
    n.start();
    const first = vote("c", "prevote", 0, B);
    const second = vote("c", "prevote", 0, D);
    const third = vote("c", "prevote", 0, null);
    const fx = n.votes(first, second, third);
    const evidence = fx.flatMap((e) => (e.kind === "evidence" ? [e.evidence] : []));
    assert.equal(evidence.length, 1);
    const [ev] = evidence;
    assert.ok(ev !== undefined);
    assert.deepEqual(verifyEvidence(hasher, verifier, CHAIN, ev, VALIDATORS), { ok: true });
    assert.deepEqual(decodeEvidence(encodeEvidence(ev)), ev);
    const set = n.state.log.get(0)?.prevote;
    assert.equal(set?.total, 1, "c voted once as far as the power that voted at all is concerned");
    assert.equal(set?.power.get(toHex(hashOf(B))), 1);
    assert.equal(set?.power.get(toHex(hashOf(D))), 1);
    assert.equal(set?.power.get("nil"), undefined, "a third value is ignored");
    assert.ok(set?.conflicting.has("c"));
    assert.equal(n.state.dropped.CONFLICTING, 1);
    // Evidence with a signature from someone else is refused.
    const bad = { ...ev, voteB: { ...ev.voteB, signature: testSigner("d").sign(new Uint8Array(32)) } };
    assert.deepEqual(verifyEvidence(hasher, verifier, CHAIN, bad, VALIDATORS), {
      ok: false,
      reason: "BAD_SIGNATURE",
    });
  });

  it("produces commit certificates the ledger accepts", () => {
    const n = new Node("d");
    n.start();
    n.propose(proposal("a", 0, B));
    n.votes(vote("a", "prevote", 0, B), vote("b", "prevote", 0, B));
    const fx = n.votes(vote("a", "precommit", 0, B), vote("b", "precommit", 0, B));
    const commit = fx.find((e) => e.kind === "commit");
    assert.ok(commit?.kind === "commit");
    const check = verifyCommit(
      hasher,
      verifier,
      CHAIN,
      commit.certificate,
      { height: 1, blockHash: hashOf(B) },
      VALIDATORS,
    );
    assert.equal(check.ok, true);
  });

  it("refuses proposals from anyone but the round's proposer", () => {
    const n = new Node("c");
    n.start();
    assert.deepEqual(votesIn(n.propose(proposal("b", 0, B))), []);
    assert.equal(n.state.dropped.NOT_PROPOSER, 1);
  });

  it("bounds the future rounds one validator may fill, evicting its lowest", () => {
    const n = new Node("b");
    n.start();
    for (const r of [10, 11, 12, 13]) n.votes(vote("c", "prevote", r, null));
    n.votes(vote("c", "prevote", 9, null));
    assert.equal(n.state.dropped.ROUND_LIMIT, 1);
    n.votes(vote("c", "prevote", 14, null));
    assert.equal(n.state.log.get(10)?.prevote.total ?? 0, 0, "round 10 evicted for round 14");
    assert.equal(n.state.log.get(14)?.prevote.total, 1);
  });
});

describe("other heights", () => {
  it("buffers messages of a later height and replays them when it starts", () => {
    const n = new Node("b");
    n.start(1);
    const later = [vote("a", "prevote", 0, null, 2), vote("c", "prevote", 0, null, 2)];
    n.votes(...later);
    const p = proposal("b", 0, testBlock(2, "b"), -1, 2);
    n.propose(p, false);
    assert.equal(n.state.buffer.length, 3);
    const fx = n.start(2);
    assert.equal(n.state.buffer.length, 0);
    assert.equal(n.state.log.get(0)?.prevote.total, 2);
    const check = fx.filter((e) => e.kind === "checkProposal");
    assert.equal(check.length, 1, "a buffered block is handed back to be checked at its height");
  });

  it("drops messages of decided heights and bounds the buffer, preferring nearer heights", () => {
    const n = new Node("b");
    n.state = { ...n.state, limits: { ...n.state.limits, maxBufferedMessages: 2 } };
    n.start(3);
    n.votes(vote("a", "prevote", 0, null, 2));
    assert.equal(n.state.dropped.OLD_HEIGHT, 1);
    n.votes(vote("a", "prevote", 0, null, 9), vote("c", "prevote", 0, null, 8));
    n.votes(vote("d", "prevote", 0, null, 4));
    assert.deepEqual(
      n.state.buffer.map((b) => b.height),
      [8, 4],
    );
    n.votes(vote("d", "prevote", 0, null, 10));
    assert.equal(n.state.dropped.BUFFER_FULL, 1);
  });
});

describe("purity", () => {
  it("never changes the state it is given", () => {
    const n = new Node("b");
    n.start();
    const before = n.state;
    const snapshot = JSON.stringify(before, (_k, v) =>
      v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v,
    );
    n.propose(proposal("a", 0, B));
    n.votes(vote("a", "prevote", 0, B), vote("c", "prevote", 0, B), vote("c", "prevote", 0, D));
    const after = JSON.stringify(before, (_k, v) =>
      v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v,
    );
    assert.equal(after, snapshot);
    assert.notEqual(n.state, before);
  });
});
