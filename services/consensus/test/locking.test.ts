import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Block } from "@coken/ledger";
import { toHex } from "@coken/ledger";
import { hashOf, Node, proposal, proposalsIn, testBlock, vote, votesIn } from "./helpers.js";

// Four validators a, b, c, d of power 1; at height 1 the proposer of round r is "abcd"[r % 4].
const B = testBlock(1, "a");
const D = testBlock(1, "b", 1);

function keyOf(block: Block | null): string | null {
  return block === null ? null : toHex(hashOf(block));
}

function votedFor(v: { blockHash: Uint8Array | null } | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  return v.blockHash === null ? null : toHex(v.blockHash);
}

/** Drives `n` to a lock on B in round 0 (polka for B), then precommits nil from the others and a new round. */
function lockOnBInRound0(n: Node, others: string[]): void {
  n.propose(proposal("a", 0, B));
  n.votes(...others.map((o) => vote(o, "prevote", 0, B)));
  assert.equal(n.state.lockedRound, 0);
  n.votes(...others.map((o) => vote(o, "precommit", 0, null)));
  n.timeout("precommit", 0);
  assert.equal(n.state.round, 1);
}

describe("locking rules (Algorithm 1, as CometBFT's state_test)", () => {
  it("prevotes the proposal, locks on a polka and commits on 2/3+ precommits", () => {
    const n = new Node("b");
    n.start();
    const prevotes = votesIn(n.propose(proposal("a", 0, B)), "prevote");
    assert.equal(votedFor(prevotes[0]), keyOf(B));
    const fx = n.votes(vote("a", "prevote", 0, B), vote("c", "prevote", 0, B));
    assert.equal(votedFor(votesIn(fx, "precommit")[0]), keyOf(B));
    assert.equal(n.state.lockedValue?.key, keyOf(B));
    assert.equal(n.state.lockedRound, 0);
    const precommitA = vote("a", "precommit", 0, B);
    assert.deepEqual(n.votes(precommitA), []);
    const done = n.votes(vote("c", "precommit", 0, B));
    const commit = done.find((e) => e.kind === "commit");
    assert.ok(commit?.kind === "commit");
    assert.equal(keyOf(commit.block), keyOf(B));
    assert.deepEqual(
      commit.certificate.signatures.map((s) => s.validator),
      ["a", "b", "c"],
    );
    assert.equal(n.state.status, "decided");
    n.votes(vote("d", "precommit", 0, B));
    assert.equal(n.state.dropped.OLD_HEIGHT, 1);
  });

  it("relocks on the same block at a later round (POLRelock) and re-proposes its valid value", () => {
    const n = new Node("b");
    n.start();
    lockOnBInRound0(n, ["a", "c", "d"]);
    // b proposes in round 1: its valid value B, with POL round 0, and no request for a new block.
    const round1 = n.effects.slice(-6);
    assert.equal(
      round1.some((e) => e.kind === "requestValue"),
      false,
    );
    const [p] = proposalsIn(n.effects);
    assert.equal(p?.round, 1);
    assert.equal(p?.polRound, 0);
    assert.equal(keyOf(p?.block ?? null), keyOf(B));
    assert.equal(votedFor(votesIn(n.effects, "prevote").at(-1)), keyOf(B));
    const fx = n.votes(vote("a", "prevote", 1, B), vote("c", "prevote", 1, B));
    assert.equal(votedFor(votesIn(fx, "precommit")[0]), keyOf(B));
    assert.equal(n.state.lockedRound, 1);
    assert.equal(n.state.lockedValue?.key, keyOf(B));
  });

  it("prevotes nil for another value while locked, then moves its lock on a polka for it (POLUpdateLock)", () => {
    const n = new Node("c");
    n.start();
    lockOnBInRound0(n, ["a", "b", "d"]);
    const fx = n.propose(proposal("b", 1, D));
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), null);
    const after = n.votes(vote("a", "prevote", 1, D), vote("b", "prevote", 1, D), vote("d", "prevote", 1, D));
    assert.equal(votedFor(votesIn(after, "precommit")[0]), keyOf(D));
    assert.equal(n.state.lockedValue?.key, keyOf(D));
    assert.equal(n.state.lockedRound, 1);
  });

  it("prevotes the value it is locked on when it is proposed again", () => {
    const n = new Node("c");
    n.start();
    lockOnBInRound0(n, ["a", "b", "d"]);
    const fx = n.propose(proposal("b", 1, B));
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), keyOf(B));
  });

  it("unlocks for a proposal whose POL round is at or above its locked round (line 28)", () => {
    const n = new Node("d");
    n.start();
    lockOnBInRound0(n, ["a", "b", "c"]);
    // Round 1: no proposal reaches d; the others form a polka for D.
    n.timeout("propose", 1);
    n.votes(vote("a", "prevote", 1, D), vote("b", "prevote", 1, D), vote("c", "prevote", 1, D));
    n.timeout("prevote", 1);
    n.votes(
      vote("a", "precommit", 1, null),
      vote("b", "precommit", 1, null),
      vote("c", "precommit", 1, null),
    );
    n.timeout("precommit", 1);
    assert.equal(n.state.round, 2);
    // Round 2: c proposes D with POL round 1 > locked round 0.
    const fx = n.propose(proposal("c", 2, D, 1));
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), keyOf(D));
    assert.equal(n.state.lockedRound, 0, "the lock only moves on a polka in the current round");
    n.votes(vote("a", "prevote", 2, D), vote("b", "prevote", 2, D));
    assert.equal(n.state.lockedValue?.key, keyOf(D));
    assert.equal(n.state.lockedRound, 2);
  });

  it("does not unlock without a POL: a claimed POL round without the prevotes gets no prevote", () => {
    const n = new Node("d");
    n.start();
    lockOnBInRound0(n, ["a", "b", "c"]);
    // b claims a POL for D in round 0, but round 0's polka was for B.
    assert.deepEqual(votesIn(n.propose(proposal("b", 1, D, 0))), []);
    const fx = n.timeout("propose", 1);
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), null);
    assert.equal(n.state.lockedValue?.key, keyOf(B));
    assert.equal(n.state.lockedRound, 0);
  });

  it("does not unlock for a POL older than its lock", () => {
    const n = new Node("d");
    n.start();
    // Round 0: a polka for D that d sees without the proposal, so d does not lock.
    n.timeout("propose", 0);
    n.votes(vote("a", "prevote", 0, D), vote("b", "prevote", 0, D), vote("c", "prevote", 0, D));
    n.timeout("prevote", 0);
    n.votes(
      vote("a", "precommit", 0, null),
      vote("b", "precommit", 0, null),
      vote("c", "precommit", 0, null),
    );
    n.timeout("precommit", 0);
    assert.equal(n.state.lockedRound, -1);
    // Round 1: lock on B.
    n.propose(proposal("b", 1, B));
    n.votes(vote("a", "prevote", 1, B), vote("b", "prevote", 1, B));
    assert.equal(n.state.lockedRound, 1);
    n.votes(
      vote("a", "precommit", 1, null),
      vote("b", "precommit", 1, null),
      vote("c", "precommit", 1, null),
    );
    n.timeout("precommit", 1);
    // Round 2: D with its (real) POL of round 0, which is below the lock.
    const fx = n.propose(proposal("c", 2, D, 0));
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), null);
    assert.equal(n.state.lockedValue?.key, keyOf(B));
  });

  it("carries a valid value seen after precommitting nil into the round it proposes", () => {
    const n = new Node("b");
    n.start();
    n.propose(proposal("a", 0, B));
    n.timeout("prevote", 0);
    assert.equal(votedFor(votesIn(n.effects, "precommit")[0]), null);
    n.votes(vote("a", "prevote", 0, B), vote("c", "prevote", 0, B));
    assert.equal(n.state.lockedRound, -1, "a polka seen after precommitting does not lock");
    assert.equal(n.state.validValue?.key, keyOf(B));
    assert.equal(n.state.validRound, 0);
    n.votes(vote("a", "precommit", 0, null), vote("c", "precommit", 0, null));
    const fx = n.timeout("precommit", 0);
    assert.equal(
      fx.some((e) => e.kind === "requestValue"),
      false,
    );
    const [p] = proposalsIn(fx);
    assert.equal(keyOf(p?.block ?? null), keyOf(B));
    assert.equal(p?.polRound, 0);
  });

  it("asks the driver for a block when it proposes without a valid value", () => {
    const n = new Node("a");
    const fx = n.start();
    assert.deepEqual(
      fx.map((e) => e.kind),
      ["requestValue", "scheduleTimeout"],
    );
    const out = n.input({ kind: "value", block: B, time: n.time });
    assert.deepEqual(
      out.map((e) => e.kind),
      ["signed", "broadcastProposal", "signed", "broadcastVote"],
    );
    assert.equal(votedFor(votesIn(out)[0]), keyOf(B));
  });

  it("prevotes nil at once for an invalid proposal", () => {
    const n = new Node("b");
    n.start();
    const fx = n.propose(proposal("a", 0, B), false);
    assert.equal(votedFor(votesIn(fx, "prevote")[0]), null);
    n.votes(vote("a", "prevote", 0, B), vote("c", "prevote", 0, B), vote("d", "prevote", 0, B));
    assert.equal(n.state.lockedRound, -1, "an invalid value is never locked");
  });

  it("decides on precommits of an earlier round once the proposal arrives (line 49 for any round)", () => {
    const n = new Node("b");
    n.start();
    n.timeout("propose", 0);
    n.timeout("prevote", 0);
    n.votes(vote("a", "precommit", 0, B), vote("c", "precommit", 0, B), vote("d", "precommit", 0, B));
    n.timeout("precommit", 0);
    assert.equal(n.state.round, 1);
    assert.equal(n.state.status, "running", "no proposal for B yet");
    const fx = n.propose(proposal("a", 0, B));
    const commit = fx.find((e) => e.kind === "commit");
    assert.ok(commit?.kind === "commit");
    assert.equal(commit.certificate.round, 0);
    assert.deepEqual(
      commit.certificate.signatures.map((s) => s.validator),
      ["a", "c", "d"],
    );
  });

  it("skips to a higher round on messages from more than 1/3 of the power, not fewer", () => {
    const n = new Node("b");
    n.start();
    n.votes(vote("c", "prevote", 5, null));
    assert.equal(n.state.round, 0);
    const fx = n.votes(vote("d", "precommit", 5, null));
    assert.equal(n.state.round, 5);
    const timeout = fx.find((e) => e.kind === "scheduleTimeout");
    assert.deepEqual(timeout, {
      kind: "scheduleTimeout",
      step: "propose",
      height: 1,
      round: 5,
      delayMs: 300 + 5 * 100,
    });
  });
});
