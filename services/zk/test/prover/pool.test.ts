import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isZkError, type ZkErrorCode } from "../../src/errors.js";
import { type PoolJob, ProverPool } from "../../src/prover/pool.js";
import { readVerificationKey } from "../../src/setup/manifest.js";
import { loadPairingCurve, releaseCurve } from "../../src/setup/snark.js";
import { buildInput } from "../../src/statements/index.js";
import { prepareKey, verifyGroth16 } from "../../src/verifier/groth16.js";
import { testArtifact } from "../fixtures/artifacts.js";
import { BINDING, register } from "../fixtures/world.js";

const rejects = (p: Promise<unknown>, code: ZkErrorCode) =>
  assert.rejects(p, (e) => isZkError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));

describe("prover pool", () => {
  const reg = register();
  let job: PoolJob;
  let pool: ProverPool;

  before(async () => {
    const task = buildInput(reg.dataset, { kind: "membership", key: reg.rows[2]?.key ?? "" }, BINDING);
    const a = await testArtifact(task.circuit);
    job = { circuit: task.circuit, wasm: a.wasm, zkey: a.zkey, input: task.input };
    pool = new ProverPool({ size: 1, queueLimit: 1 });
    await pool.ready();
  });
  after(async () => {
    await pool.close();
    await releaseCurve();
  });

  it("proves with a warm thread", async () => {
    const r = await pool.run(job);
    assert.equal(r.publicSignals[0], "1");
    assert.equal(r.proof.pi_a.length, 3);
  });

  it("a job past its time limit fails with TIMEOUT and its thread is replaced", async () => {
    const before = pool.stats().respawned;
    await rejects(pool.run(job, { timeoutMs: 1 }), "TIMEOUT");
    assert.equal(pool.stats().respawned, before + 1);
    const r = await pool.run(job);
    assert.equal(r.publicSignals[0], "1");
  });

  it("a cancelled job fails with CANCELLED, before or while it runs", async () => {
    const early = new AbortController();
    early.abort();
    await rejects(pool.run(job, { signal: early.signal }), "CANCELLED");
    const late = new AbortController();
    const running = pool.run(job, { signal: late.signal });
    late.abort();
    await rejects(running, "CANCELLED");
    assert.equal((await pool.run(job)).publicSignals[0], "1");
  });

  it("refuses work beyond its queue with QUEUE_FULL", async () => {
    const first = pool.run(job);
    const second = pool.run(job);
    await rejects(pool.run(job), "QUEUE_FULL");
    await Promise.all([first, second]);
  });

  it("a witness that breaks a constraint fails with PROOF_INVALID", async () => {
    await rejects(pool.run({ ...job, input: { ...job.input, key: "12345" } }), "PROOF_INVALID");
  });

  it("a witness that omits the matching row (opening the leaf before it as a gap) fails", async () => {
    const tasks = reg.rows.map((r) => buildInput(reg.dataset, { kind: "membership", key: r.key }, BINDING));
    const pair = tasks
      .map((member) => [tasks.find((t) => t.input.nextKey === member.input.key), member] as const)
      .find(([gap]) => gap !== undefined);
    const [gap, member] = pair ?? [];
    assert.ok(gap !== undefined && member !== undefined, "the fixture has two adjacent rows");
    // The predecessor's leaf straddles the key from below: a "not a member" claim with the row left out.
    const input = {
      ...gap.input,
      key: String(member.input.key),
      requestHash: String(member.input.requestHash),
    };
    await rejects(pool.run({ ...job, input }), "PROOF_INVALID");
  });

  it("close() cancels queued work and later calls", async () => {
    const other = new ProverPool({ size: 1, queueLimit: 4 });
    await other.ready();
    const running = rejects(other.run(job), "CANCELLED");
    const queued = rejects(other.run(job), "CANCELLED");
    await other.close();
    await Promise.all([running, queued]);
    await rejects(other.run(job), "CANCELLED");
  });

  it("one prover thread by default when the curve has its own threads, one per core when it has none", async () => {
    const perCore = new ProverPool();
    const none = new ProverPool({ curveThreads: "none" });
    try {
      assert.equal(perCore.stats().workers, 1);
      assert.equal(none.stats().workers, availableParallelism());
    } finally {
      await Promise.all([perCore.close(), none.close()]);
    }
  });

  it("a prover thread whose curve has no threads of its own proves the same statement", async () => {
    const inThread = new ProverPool({ size: 1, curveThreads: "none" });
    try {
      await inThread.ready();
      assert.equal(inThread.stats().curveThreads, 0);
      // ffjavascript starts one curve thread per CPU the OS lists.
      assert.equal(pool.stats().curveThreads, cpus().length);
      const r = await inThread.run(job);
      assert.deepEqual(r.publicSignals, (await pool.run(job)).publicSignals);
      const vk = await readVerificationKey(await testArtifact(job.circuit));
      const curve = await loadPairingCurve();
      assert.equal(verifyGroth16(curve, prepareKey(curve, vk), r.publicSignals, r.proof), true);
    } finally {
      await inThread.close();
    }
  });

  it("a process that proves once and closes exits on its own", async () => {
    const script = fileURLToPath(new URL("../fixtures/prove-once.js", import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    // Only a guard against a hung run; the assertion is on how the process ended.
    const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(guard);
    assert.equal(signal, null, "killed: the process did not exit by itself");
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), { kind: "membership", member: true });
  });
});
