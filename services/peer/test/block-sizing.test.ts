import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockSizer,
  blockByteBudget,
  executionTargetMs,
  MIN_SAMPLE_BYTES,
  observeExecution,
  SMOOTHING,
} from "../src/block-sizing.js";

const MiB = 1 << 20;

describe("block sizing by execution time", () => {
  it("gives the block bound until a block large enough was timed", () => {
    assert.equal(blockByteBudget(null, 750, 3 * MiB), 3 * MiB);
    const small = observeExecution(null, { bytes: MIN_SAMPLE_BYTES - 1, ms: 500 });
    assert.equal(small, null);
    assert.equal(observeExecution(null, { bytes: MiB, ms: Number.NaN }), null);
    assert.equal(blockByteBudget({ ms: 0, bytes: MiB }, 750, 3 * MiB), 3 * MiB);
  });

  it("sizes a block to execute in the target at the measured rate, within the block bound", () => {
    // 1 MiB in 500 ms: 750 ms buys 1.5 MiB.
    const rate = observeExecution(null, { bytes: MiB, ms: 500 });
    assert.equal(blockByteBudget(rate, 750, 3 * MiB), 1.5 * MiB);
    assert.equal(blockByteBudget(rate, 750, MiB), MiB);
  });

  it("moves the rate by SMOOTHING per sample, weighting samples by their size", () => {
    let rate = observeExecution(null, { bytes: MiB, ms: 100 });
    rate = observeExecution(rate, { bytes: MiB, ms: 200 });
    assert.deepEqual(rate, { ms: 100 + SMOOTHING * 100, bytes: MiB });
    // A slow block well below the sample floor (a collection pause in a near-empty block) changes nothing.
    assert.deepEqual(observeExecution(rate, { bytes: 100, ms: 900 }), rate);
    // Slower blocks shrink the budget, faster ones let it grow again.
    const before = blockByteBudget(rate, 750, 64 * MiB);
    const slower = observeExecution(rate, { bytes: MiB, ms: 1000 });
    assert.ok(blockByteBudget(slower, 750, 64 * MiB) < before);
    const faster = observeExecution(slower, { bytes: MiB, ms: 10 });
    assert.ok(blockByteBudget(faster, 750, 64 * MiB) > blockByteBudget(slower, 750, 64 * MiB));
  });

  it("takes the target as a share of the propose timeout; 0 turns sizing off", () => {
    assert.equal(executionTargetMs(3000, 25), 750);
    assert.equal(executionTargetMs(3000, 0), null);
    const off = new BlockSizer(null, () => assert.fail("no clock without a target"));
    assert.equal(
      off.time([new Uint8Array(MiB)], () => 7),
      7,
    );
    assert.equal(off.budget(3 * MiB), 3 * MiB);
  });

  it("times what it runs on its clock, also when it throws", () => {
    let now = 0;
    const sizer = new BlockSizer(750, () => now);
    const txs = [new Uint8Array(MiB / 2), new Uint8Array(MiB / 2)];
    sizer.time(txs, () => {
      now += 1000;
    });
    assert.equal(sizer.budget(3 * MiB), Math.floor(0.75 * MiB));
    assert.throws(() =>
      sizer.time(txs, () => {
        now += 1000;
        throw new Error("refused");
      }),
    );
    assert.equal(sizer.msPerByte, 1000 / MiB);
  });
});
