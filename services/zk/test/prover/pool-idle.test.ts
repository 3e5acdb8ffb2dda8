import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isZkError } from "../../src/errors.js";
import { type PoolJob, ProverPool } from "../../src/prover/pool.js";
import { buildInput } from "../../src/statements/index.js";
import { testArtifact } from "../fixtures/artifacts.js";
import { BINDING, register } from "../fixtures/world.js";

/** Threads of this process, where /proc tells (undefined elsewhere). */
function threads(): number | undefined {
  if (!existsSync("/proc/self/status")) return undefined;
  return Number(/Threads:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
}

/** Waits for `done` to hold; fails only if it never does (a guard, not a timing assertion). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !done(); i++) await sleep(20);
  assert.ok(done(), what);
}

describe("prover pool on demand (idleMs)", () => {
  const reg = register();
  let job: PoolJob;

  before(async () => {
    const task = buildInput(reg.dataset, { kind: "membership", key: reg.rows[2]?.key ?? "" }, BINDING);
    const a = await testArtifact(task.circuit);
    job = { circuit: task.circuit, wasm: a.wasm, zkey: a.zkey, input: task.input };
  });

  it("starts no thread before a job, stops it once idle (the thread exits) and starts one again", async () => {
    const pool = new ProverPool({ size: 1, curveThreads: "none", idleMs: 100 });
    try {
      const idle = threads();
      assert.equal(pool.stats().workers, 0);
      assert.equal((await pool.run(job)).publicSignals[0], "1");
      await until(() => pool.stats().workers === 0, "the idle prover thread was never stopped");
      assert.equal(pool.stats().idleStopped, 1);
      // Its thread is gone, not parked: the process has the threads it had before the first job.
      if (idle !== undefined) await until(() => threads() === idle, `threads: ${threads()}, before ${idle}`);
      assert.equal((await pool.run(job)).publicSignals[0], "1");
      assert.equal(pool.stats().respawned, 0);
    } finally {
      await pool.close();
    }
  });

  it("a warm thread takes the next job rather than a new one", async () => {
    const pool = new ProverPool({ size: 1, curveThreads: "none", idleMs: 600_000 });
    try {
      await pool.run(job);
      await pool.run(job);
      assert.deepEqual(
        { ...pool.stats(), curveThreads: undefined },
        { workers: 1, busy: 0, queued: 0, respawned: 0, idleStopped: 0, curveThreads: undefined },
      );
    } finally {
      await pool.close();
    }
  });

  it("ready() starts every thread, and they too stop when idle", async () => {
    const pool = new ProverPool({ size: 2, curveThreads: "none", idleMs: 100 });
    try {
      await pool.ready();
      assert.equal(pool.stats().curveThreads, 0);
      await until(() => pool.stats().workers === 0, "idle threads started by ready() were never stopped");
      assert.equal(pool.stats().idleStopped, 2);
    } finally {
      await pool.close();
    }
  });

  it("starts a second thread only when two jobs overlap", async () => {
    const pool = new ProverPool({ size: 2, curveThreads: "none", idleMs: 600_000 });
    try {
      await pool.run(job);
      assert.equal(pool.stats().workers, 1);
      await Promise.all([pool.run(job), pool.run(job)]);
      assert.equal(pool.stats().workers, 2);
    } finally {
      await pool.close();
    }
  });

  it("a pool without idleMs starts its threads at once and keeps them", () => {
    const pool = new ProverPool({ size: 1, curveThreads: "none" });
    assert.equal(pool.stats().workers, 1);
    return pool.close();
  });

  it("refuses an idleMs that is not a positive integer", () => {
    for (const idleMs of [0, -1, 1.5])
      assert.throws(
        () => new ProverPool({ idleMs }),
        (e) => isZkError(e, "BAD_QUERY"),
      );
  });
});
