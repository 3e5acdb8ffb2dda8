import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ATTACKS, isAttack } from "./attacks.js";
import { brokenProperties } from "./properties.js";
import { randomScenario } from "./scenarios.js";
import { runScenario } from "./world.js";

const SEEDS = 1000;

describe("simulation: random faults over many seeds", () => {
  it(`keeps honest nodes safe and live over ${SEEDS} seeds`, () => {
    const seen = {
      byzantine: new Map<string, number>(),
      partitions: 0,
      crashes: 0,
      replays: 0,
      syncs: 0,
      evidence: 0,
    };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = randomScenario(seed);
      const o = runScenario(s);
      const where = `seed ${seed}`;
      assert.deepEqual(brokenProperties(s, o), [], where);
      const doubleVoter = s.behaviours.findIndex((b) => b === "double-vote" || b === "chaos");
      // An attacker may vote twice as well (a stale POL completed after a nil prevote, say).
      const mayVoteTwice = s.behaviours.flatMap((b, i) =>
        i === doubleVoter || isAttack(b) ? [`v${i}`] : [],
      );
      for (const { evidence } of o.evidence) {
        assert.ok(
          mayVoteTwice.includes(evidence.voteA.validator),
          `${where}: evidence against ${evidence.voteA.validator}, which did not vote twice`,
        );
      }
      if (doubleVoter >= 0 && s.partitions.length === 0) {
        assert.ok(o.evidence.length > 0, `${where}: the double voter went unreported`);
      }
      for (const b of s.behaviours)
        if (b !== "honest") seen.byzantine.set(b, (seen.byzantine.get(b) ?? 0) + 1);
      seen.partitions += s.partitions.length > 0 ? 1 : 0;
      seen.crashes += s.crashes.length;
      seen.replays += o.replays;
      seen.syncs += o.commitsBySync > 0 ? 1 : 0;
      seen.evidence += o.committedEvidence.size > 0 ? 1 : 0;
    }
    // The generator must really exercise every kind of fault.
    for (const b of ["equivocate", "double-vote", "withhold", "silent", "chaos"]) {
      assert.ok((seen.byzantine.get(b) ?? 0) >= 50, `${b}: ${seen.byzantine.get(b)}`);
    }
    for (const b of ATTACKS) assert.ok((seen.byzantine.get(b) ?? 0) >= 10, `${b}: ${seen.byzantine.get(b)}`);
    assert.ok(seen.partitions >= 200 && seen.crashes >= 200 && seen.replays >= 100, JSON.stringify(seen));
    assert.ok(seen.syncs >= 100 && seen.evidence >= 100, JSON.stringify(seen));
  });
});
