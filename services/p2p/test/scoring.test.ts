import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveConfig } from "../src/config.js";
import { InvalidDataScores } from "../src/scoring.js";
import { LOOPBACK, seedFor } from "./helpers.js";

const params = (scoring = {}) =>
  resolveConfig({ chainId: "c", seed: seedFor(0), listen: [LOOPBACK], allow: [], scoring }).scoring;

describe("invalid data scores", () => {
  it("takes the penalty per report and counts reasons", () => {
    const s = new InvalidDataScores(params({ penalty: 10, penalties: { "bad-sig": 30 } }));
    assert.deepEqual(s.report("a", "bad-sig", 0), { score: -30, banned: false });
    assert.deepEqual(s.report("a", "stale", 0), { score: -40, banned: false });
    assert.deepEqual(s.report("b", "stale", 0), { score: -10, banned: false });
    assert.deepEqual(s.view("a", 0).reasons, { "bad-sig": 1, stale: 1 });
    assert.deepEqual(s.totalsByReason(), { "bad-sig": 1, stale: 2 });
    assert.deepEqual(s.view("nobody", 0), { score: 0, reasons: {} });
  });

  it("bans only below the threshold, then starts the peer again from 0", () => {
    const s = new InvalidDataScores(params({ penalty: 10, banThreshold: -20 }));
    assert.equal(s.report("a", "x", 0).banned, false); // -10
    assert.equal(s.report("a", "x", 0).banned, false); // -20 is not below -20
    assert.deepEqual(s.report("a", "x", 0), { score: 0, banned: true });
    assert.equal(s.view("a", 0).reasons.x, 3);
  });

  it("recovers toward 0 with time, never above", () => {
    const s = new InvalidDataScores(params({ penalty: 10, recoveryPerMinute: 5 }));
    s.report("a", "x", 0);
    assert.equal(s.view("a", 60_000).score, -5);
    assert.equal(s.view("a", 10 * 60_000).score, 0);
  });
});
