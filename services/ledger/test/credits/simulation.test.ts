import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STRATEGIES, simulate, simulateAll } from "./simulation.js";

describe("credit simulation", () => {
  it("leaves every gaming strategy at most 5% of the honest provider's reward, after its own fees", () => {
    const rows = simulateAll(1);
    assert.equal(rows.length, 5);
    for (const r of rows) {
      assert.ok(r.honestReward > 0n, `${r.strategy}: the honest provider earns a reward`);
      assert.ok(r.net * 20n <= r.honestReward, `${r.strategy}: nets ${r.net} against ${r.honestReward}`);
    }
    // The spammer is paid nothing for disputed answers, and the self-dealer's branch earns it no reward.
    assert.equal(rows[3]?.reward, 0n);
    assert.equal(rows[0]?.reward, 0n);
  });

  it("is a pure function of its seed", () => {
    const ring = STRATEGIES[2] as (typeof STRATEGIES)[number];
    assert.deepEqual(simulate(ring, 7), simulate(ring, 7));
  });
});
