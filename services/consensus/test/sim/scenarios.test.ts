import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Behaviour } from "./byzantine.js";
import { runScenario, type Scenario } from "./world.js";

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    seed: 7,
    powers: [1, 1, 1, 1],
    behaviours: ["honest", "honest", "honest", "honest"],
    targetHeight: 4,
    network: { minDelayMs: 5, maxDelayMs: 40, drop: 0, duplicate: 0 },
    partitions: [],
    crashes: [],
    gossipIntervalMs: 300,
    limitMs: 60_000,
    ...overrides,
  };
}

function withByzantine(node: number, behaviour: Behaviour): Behaviour[] {
  return [0, 1, 2, 3].map((i) => (i === node ? behaviour : "honest"));
}

describe("simulation: targeted scenarios", () => {
  it("decides every height in round 0 on a healthy network", () => {
    const o = runScenario(scenario());
    assert.deepEqual(o.heights, [4, 4, 4, 4]);
    assert.equal(o.maxDecisionRound, 0);
    assert.ok((o.finishedAtMs ?? Infinity) < 2_000, `${o.finishedAtMs}`);
  });

  it("decides nothing while split 2|2, then resumes after the partition heals", () => {
    const partitions = [
      {
        atMs: 0,
        healMs: 5_000,
        groups: [
          [0, 1],
          [2, 3],
        ],
      },
    ];
    const o = runScenario(scenario({ partitions }));
    assert.deepEqual(o.violations, []);
    assert.ok((o.firstCommitAtMs ?? 0) >= 5_000, `first commit at ${o.firstCommitAtMs}`);
    assert.ok(o.finishedAtMs !== null && o.finishedAtMs < 5_000 + 10_000, `${o.finishedAtMs}`);
  });

  it("lets a 3/4 majority go on while one node is cut off, which catches up by block sync", () => {
    const partitions = [{ atMs: 0, healMs: 8_000, groups: [[0, 1, 2], [3]] }];
    const o = runScenario(scenario({ partitions, targetHeight: 6 }));
    assert.ok((o.firstCommitAtMs ?? Infinity) < 8_000);
    assert.ok(o.finishedAtMs !== null && o.finishedAtMs >= 8_000);
    assert.ok(o.commitsBySync > 0);
    assert.equal(o.decided.size, 6);
  });

  it("rebuilds a crashed node's state by replaying its WAL, and the node catches up", () => {
    const crashes = [{ node: 2, atMs: 150, restartMs: 3_000 }];
    const o = runScenario(scenario({ crashes, targetHeight: 8 }));
    assert.equal(o.replays, 1);
    assert.deepEqual(o.replayMismatches, []);
    assert.deepEqual(o.heights, [8, 8, 8, 8]);
  });

  it("reports the double voter from every honest node and carries the evidence in a block", () => {
    const o = runScenario(scenario({ behaviours: withByzantine(1, "double-vote") }));
    assert.deepEqual(o.violations, []);
    assert.equal(o.badEvidence, 0);
    const reporters = new Set(o.evidence.map((e) => e.node));
    assert.deepEqual([...reporters].sort(), [0, 2, 3]);
    assert.ok(o.evidence.every((e) => e.evidence.voteA.validator === "v1"));
    assert.ok(o.committedEvidence.size > 0);
    assert.ok(o.finishedAtMs !== null);
  });

  for (const behaviour of ["equivocate", "chaos", "withhold", "silent"] as const) {
    it(`stays safe and live with a proposer that behaves "${behaviour}"`, () => {
      // v0 proposes round 0 of height 1, so its lies start at once.
      for (const seed of [1, 2, 3, 4, 5]) {
        const network = { minDelayMs: 1, maxDelayMs: 80, drop: 0.1, duplicate: 0.1 };
        const o = runScenario(
          scenario({ seed, behaviours: withByzantine(0, behaviour), network, targetHeight: 5 }),
        );
        assert.deepEqual(o.violations, [], `seed ${seed}`);
        assert.ok(o.finishedAtMs !== null, `seed ${seed}: ${o.heights}`);
      }
    });
  }
});
