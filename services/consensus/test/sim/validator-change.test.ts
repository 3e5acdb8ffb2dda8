import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LIVENESS_BOUND_MS, lastFaultEnd, randomScenario } from "./scenarios.js";
import { type Outcome, runScenario, type Scenario } from "./world.js";

/*
 * Validator-set changes mid-run. The sim app executes scripted changes as the ledger does (ledger §13.5): a change
 * in block h decides heights h + 2 on. The world checks every certificate an honest node commits against the set
 * of its height stated directly from the script, so a node that used a set one height early or late is caught
 * there (`badCertificates`), and evidence against the set of the evidence's height.
 */

/** Six nodes; v4 and v5 start outside the set and follow as observers. */
function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    seed: 11,
    powers: [1, 1, 1, 1, 0, 0],
    behaviours: ["honest", "honest", "honest", "honest", "honest", "honest"],
    targetHeight: 8,
    network: { minDelayMs: 5, maxDelayMs: 40, drop: 0, duplicate: 0 },
    partitions: [],
    crashes: [],
    gossipIntervalMs: 300,
    limitMs: 60_000,
    ...overrides,
  };
}

function assertSafe(o: Outcome, where = ""): void {
  assert.deepEqual(o.violations, [], `${where} two blocks decided at one height`);
  assert.equal(o.badCertificates, 0, `${where} a certificate not from the set of its height`);
  assert.equal(o.badEvidence, 0, `${where} evidence that does not verify`);
  assert.deepEqual(o.replayMismatches, [], `${where} WAL replay did not rebuild the state`);
}

describe("simulation: validator-set changes take effect two heights later", () => {
  it("a joining validator votes from h + 2, when nothing is decided without it", () => {
    // Block 2 changes the set to v0, v1, v4: from height 4 a quorum needs all three, so v4 must sign every
    // certificate; height 3 is still decided, and certified, by v0–v3.
    const o = runScenario(scenario({ validatorChanges: [{ height: 2, powers: [1, 1, 0, 0, 1, 0] }] }));
    assertSafe(o);
    assert.ok(o.finishedAtMs !== null, `stuck at ${o.heights}`);
    assert.deepEqual(o.heights, [8, 8, 8, 8, 8, 8]);
  });

  it("puts changes of consecutive blocks in force at consecutive heights", () => {
    const validatorChanges = [
      { height: 2, powers: [1, 1, 1, 0, 1, 0] },
      { height: 3, powers: [1, 1, 0, 0, 1, 1] },
      { height: 5, powers: [0, 2, 0, 1, 1, 1] },
    ];
    for (const seed of [1, 2, 3]) {
      const network = { minDelayMs: 1, maxDelayMs: 60, drop: 0.1, duplicate: 0.1 };
      const o = runScenario(scenario({ seed, network, validatorChanges, targetHeight: 10 }));
      assertSafe(o, `seed ${seed}:`);
      assert.ok(o.finishedAtMs !== null, `seed ${seed}: stuck at ${o.heights}`);
    }
  });

  it("goes on without the validators a change removed, once it is in force", () => {
    // Block 1 replaces v2 and v3 by v4 and v5 (in force from height 3); at 3 s, long after, v2 and v3 are cut off
    // for good. Under the genesis set v0 and v1 alone hold half the power and could decide nothing.
    const o = runScenario(
      scenario({
        validatorChanges: [{ height: 1, powers: [1, 1, 0, 0, 1, 1] }],
        partitions: [
          {
            atMs: 3_000,
            healMs: 1_000_000,
            groups: [
              [0, 1, 4, 5],
              [2, 3],
            ],
          },
        ],
        targetHeight: 1_000,
        limitMs: 6_000,
      }),
    );
    assertSafe(o);
    const [a, b, c, d, e, f] = o.heights as [number, number, number, number, number, number];
    assert.ok(c >= 3 && d >= 3, `the removed ones saw the change in force: ${o.heights}`);
    assert.ok(
      Math.min(a, b, e, f) >= Math.max(c, d) + 10,
      `no progress without the removed ones: ${o.heights}`,
    );
  });

  it("lets a removed validator that was cut off catch up by block sync", () => {
    const o = runScenario(
      scenario({
        validatorChanges: [{ height: 1, powers: [1, 1, 0, 1, 1, 0] }],
        partitions: [{ atMs: 0, healMs: 6_000, groups: [[0, 1, 3, 4, 5], [2]] }],
        targetHeight: 10,
      }),
    );
    assertSafe(o);
    assert.ok(o.finishedAtMs !== null && o.finishedAtMs >= 6_000, `${o.finishedAtMs}: ${o.heights}`);
    assert.ok(o.commitsBySync > 0);
  });

  const SEEDS = 50;
  it(`stays safe and live over ${SEEDS} random runs with a validator swapped mid-run`, () => {
    let withByzantine = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const base = randomScenario(seed);
      // Node 4 joins in place of an honest node (same power, so a Byzantine node keeps below a third), by the
      // block of height 1, 2 or 3.
      const honest = base.behaviours.flatMap((b, i) => (b === "honest" ? [i] : []));
      const leaving = honest[seed % honest.length] as number;
      const powers = [...base.powers.map((p, i) => (i === leaving ? 0 : p)), base.powers[leaving] as number];
      if (base.behaviours.some((b) => b !== "honest")) withByzantine++;
      const s: Scenario = {
        ...base,
        powers: [...base.powers, 0],
        behaviours: [...base.behaviours, "honest"],
        validatorChanges: [{ height: 1 + (seed % 3), powers }],
        targetHeight: 6,
      };
      const o = runScenario(s);
      const where = `seed ${seed}:`;
      assertSafe(o, where);
      assert.ok(o.finishedAtMs !== null, `${where} honest nodes stuck at ${o.heights}`);
      assert.ok(o.finishedAtMs - lastFaultEnd(s) <= LIVENESS_BOUND_MS, where);
    }
    assert.ok(withByzantine >= 10, `runs with a Byzantine node: ${withByzantine}`);
  });
});
