import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SignedRecord } from "../src/index.js";
import { hashOf, Node, proposal, T0, testBlock, vote, votesIn } from "./helpers.js";

const B = testBlock(1, "a");
const D = testBlock(1, "b", 1);

describe("double-sign guard", () => {
  it("emits `signed` before each broadcast", () => {
    const n = new Node("b");
    n.start();
    const fx = n.propose(proposal("a", 0, B));
    const kinds = fx.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 2), ["signed", "broadcastVote"]);
    const signed = fx[0];
    assert.ok(signed?.kind === "signed");
    assert.deepEqual([signed.height, signed.round, signed.step], [1, 0, "prevote"]);
  });

  it("refuses to sign a different vote for a step it already signed, even after losing its state", () => {
    // The node signed a prevote for D in round 0, then restarted with only the persisted guard.
    const first = new Node("b");
    first.start();
    first.propose(proposal("a", 0, D));
    const records: SignedRecord[] = first.effects.flatMap((e) => (e.kind === "signed" ? [e] : []));
    assert.equal(records.length, 1);
    const restarted = new Node("b", { signed: records });
    restarted.start();
    // Now it sees B proposed instead: the algorithm would prevote B, the guard refuses.
    const fx = restarted.propose(proposal("a", 0, B));
    assert.deepEqual(votesIn(fx), []);
    assert.equal(restarted.state.step, "prevote", "the algorithm still moves on");
    // The very same vote may be signed again (a replay after restart re-creates it).
    const again = new Node("b", { signed: records });
    again.start();
    assert.equal(votesIn(again.propose(proposal("a", 0, D))).length, 1);
  });

  it("never signs for an earlier step or round than the last one signed", () => {
    const n = new Node("b");
    n.start();
    n.timeout("propose", 0);
    n.timeout("prevote", 0);
    const records: SignedRecord[] = n.effects.flatMap((e) => (e.kind === "signed" ? [e] : []));
    const restarted = new Node("b", { signed: records.slice(-1) });
    restarted.start();
    // A prevote for round 0 is now behind the last signed precommit of round 0.
    assert.deepEqual(votesIn(restarted.propose(proposal("a", 0, B))), []);
  });

  it("replaying a node's inputs rebuilds the same state and the same signatures", () => {
    const a = new Node("c");
    const inputs = [
      { kind: "start" as const, height: 1, time: T0 },
      { kind: "proposal" as const, proposal: proposal("a", 0, B), valid: true, time: T0 + 5 },
      { kind: "vote" as const, vote: vote("a", "prevote", 0, B), time: T0 + 6 },
      { kind: "vote" as const, vote: vote("b", "prevote", 0, B), time: T0 + 7 },
    ];
    for (const i of inputs) a.input(i);
    const records: SignedRecord[] = a.effects.flatMap((e) => (e.kind === "signed" ? [e] : []));
    const b = new Node("c", { signed: records });
    for (const i of inputs) b.input(i);
    assert.deepEqual(votesIn(b.effects), votesIn(a.effects));
    assert.equal(b.state.lockedValue?.key, a.state.lockedValue?.key);
    assert.deepEqual(b.state.lockedValue?.hash, hashOf(B));
  });

  it("an observer follows and commits without signing", () => {
    const n = new Node(null);
    n.start();
    n.propose(proposal("a", 0, B));
    n.votes(vote("a", "prevote", 0, B), vote("b", "prevote", 0, B), vote("c", "prevote", 0, B));
    const fx = n.votes(
      vote("a", "precommit", 0, B),
      vote("b", "precommit", 0, B),
      vote("c", "precommit", 0, B),
    );
    assert.equal(votesIn(n.effects).length, 0);
    assert.ok(fx.some((e) => e.kind === "commit"));
  });
});
