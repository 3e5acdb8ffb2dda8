import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ATTACKS, type AttackKind } from "./attacks.js";
import type { ConsensusCore } from "./core.js";
import { loadMutant, MUTATIONS } from "./mutants.js";
import { type Broken, brokenProperties } from "./properties.js";
import { randomScenario, targetedAttack } from "./scenarios.js";
import { runScenario } from "./world.js";

/*
 * The mutation check: the simulation must notice each of these bugs in a copy of the compiled core. Before the
 * scripted attacks and the locking property, "no locking" passed all 1,000 seeds of safety.test.ts and every targeted
 * scenario: random faults alone never set up the lock that only locking keeps safe. Each mutant now breaks a property
 * under the attack made for it, and in the random runs, which include those attacks, within a few hundred seeds.
 */

/** For each mutant, the targeted attacks made to catch it and the property each breaks. */
const CAUGHT_BY: Record<keyof typeof MUTATIONS, { attack: AttackKind; property: Broken["property"] }[]> = {
  noLocking: [
    { attack: "amnesia", property: "safety" },
    { attack: "stale-pol", property: "safety" },
  ],
  noValidValue: [{ attack: "stall", property: "liveness" }],
  majorityQuorum: [{ attack: "split", property: "safety" }],
  // Not a fork: with f < n/3, no quorum for another block forms without the locked nodes (docs/spec/consensus.md §3.5).
  polRoundNotBelow: [{ attack: "pol-not-below", property: "locking" }],
};

/** Random seeds tried, from 1, before a mutant counts as missed by the random runs. */
const MAX_SEEDS = 300;

function broken(kind: AttackKind, core?: ConsensusCore): Broken["property"][] {
  const s = targetedAttack(kind);
  return brokenProperties(s, runScenario(s, core)).map((b) => b.property);
}

/** The first random seed whose run breaks a property under `core`, or null within MAX_SEEDS. */
function firstFailingSeed(core: ConsensusCore): { seed: number; run: string; broken: Broken[] } | null {
  for (let seed = 1; seed <= MAX_SEEDS; seed++) {
    const s = randomScenario(seed);
    const found = brokenProperties(s, runScenario(s, core));
    const run =
      s.attack === undefined ? "random faults" : `attack ${s.behaviours.find((b) => b !== "honest")}`;
    if (found.length > 0) return { seed, run, broken: found };
  }
  return null;
}

describe("simulation: mutation check", () => {
  it("the real core stays safe and live under every targeted attack", () => {
    for (const kind of ATTACKS) assert.deepEqual(broken(kind), [], kind);
  });

  it("refuses a mutation whose patch does not match the compiled core exactly once", async () => {
    const stale = { file: "rules.js", find: "no such code", replace: "" };
    await assert.rejects(loadMutant({ name: "stale", description: "", patches: [stale] }), /matches 0 times/);
    const common = { file: "rules.js", find: "d.round", replace: "0" };
    await assert.rejects(loadMutant({ name: "common", description: "", patches: [common] }), /not once/);
  });

  for (const [id, mutation] of Object.entries(MUTATIONS)) {
    it(`catches "${mutation.name}": ${mutation.description}`, async (t) => {
      const core = await loadMutant(mutation);
      for (const { attack, property } of CAUGHT_BY[id as keyof typeof MUTATIONS]) {
        const found = broken(attack, core);
        t.diagnostic(`targeted ${attack}: ${found.join(", ")}`);
        assert.ok(found.includes(property), `${attack} should break ${property}, broke: ${found}`);
      }
      const first = firstFailingSeed(core);
      assert.ok(first !== null, `no random seed of 1–${MAX_SEEDS} caught it`);
      const what = first.broken.map((b) => `${b.property} (${b.detail})`).join("; ");
      t.diagnostic(`first random seed: ${first.seed} (${first.run}): ${what}`);
    });
  }
});
