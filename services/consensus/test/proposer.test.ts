import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Validator } from "@coken/ledger";
import fc from "fast-check";
import { proposer, proposerSchedule } from "../src/index.js";

/**
 * Reference model of CometBFT's procedure without shortcuts: a set is created with one election, each later height
 * adds one call of one election, a round r > 0 one call of r elections; every call first rescales priorities whose
 * spread exceeds 2·P and centres them on their average (division rounding toward -∞ like Go's big.Int).
 */
function reference(validators: readonly Validator[], height: number, round: number): string {
  const sorted = [...validators].sort((a, b) => (a.agency < b.agency ? -1 : 1));
  const total = sorted.reduce((s, v) => s + v.power, 0);
  const priority = sorted.map(() => 0);
  let elected = 0;
  const call = (times: number) => {
    const spread = Math.max(...priority) - Math.min(...priority);
    if (spread > 2 * total) {
      const ratio = Math.ceil(spread / (2 * total));
      for (let i = 0; i < priority.length; i++) priority[i] = Math.trunc((priority[i] as number) / ratio);
    }
    const avg = Math.floor(priority.reduce((s, p) => s + p, 0) / priority.length);
    for (let i = 0; i < priority.length; i++) priority[i] = (priority[i] as number) - avg;
    for (let t = 0; t < times; t++) {
      for (let i = 0; i < priority.length; i++)
        priority[i] = (priority[i] as number) + (sorted[i] as Validator).power;
      elected = 0;
      for (let i = 1; i < priority.length; i++)
        if ((priority[i] as number) > (priority[elected] as number)) elected = i;
      priority[elected] = (priority[elected] as number) - total;
    }
  };
  for (let h = 1; h <= height; h++) call(1);
  if (round > 0) call(round);
  return (sorted[elected] as Validator).agency;
}

const set = (powers: number[]): Validator[] => powers.map((power, i) => ({ agency: `agency-${i}`, power }));

describe("proposer selection", () => {
  it("rotates through equal validators in agency order, whatever order they are given in", () => {
    const vs = [
      { agency: "d", power: 1 },
      { agency: "b", power: 1 },
      { agency: "a", power: 1 },
      { agency: "c", power: 1 },
    ];
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((r) => proposer(vs, 1, r)),
      ["a", "b", "c", "d", "a"],
    );
    assert.deepEqual(
      [1, 2, 3].map((h) => proposer(vs, h, 0)),
      ["a", "b", "c"],
    );
  });

  it("follows the sequence of CometBFT's specification example (powers 1 and 3)", () => {
    const vs = [
      { agency: "p1", power: 1 },
      { agency: "p2", power: 3 },
    ];
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((h) => proposer(vs, h, 0)),
      ["p2", "p1", "p2", "p2", "p2", "p1", "p2", "p2"],
    );
  });

  it("elects each validator in proportion to its power over many rounds", () => {
    const vs = set([1, 2, 3, 4, 10]);
    const counts = new Map<string, number>();
    const rounds = 20 * 20;
    for (let r = 0; r < rounds; r++) {
      const p = proposer(vs, 7, r);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    assert.deepEqual(
      vs.map((v) => counts.get(v.agency)),
      vs.map((v) => v.power * 20),
    );
  });

  it("matches the unshortened CometBFT procedure (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 30 }),
        (powers, height, round) => {
          const vs = set(powers);
          assert.equal(proposer(vs, height, round), reference(vs, height, round));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("scales powers by their gcd and walks long periods without a table", () => {
    const scaled = proposerSchedule(set([300, 600, 900]));
    assert.equal(scaled.period, 6);
    const big = set([70_001, 70_003]);
    const schedule = proposerSchedule(big);
    assert.equal(schedule.period, 140_004);
    assert.equal(schedule.proposer(5, 3), reference(big, 5, 3));
  });

  it("refuses empty sets, repeated agencies and non-positive powers", () => {
    assert.throws(() => proposerSchedule([]), RangeError);
    assert.throws(() => proposerSchedule(set([1, 0])), RangeError);
    assert.throws(() => proposerSchedule([...set([1]), ...set([2])]), RangeError);
    assert.throws(() => proposer(set([1]), 0, 0), RangeError);
  });
});
