import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { ZkQuery } from "../../src/api.js";
import { createQueryProver } from "../../src/prover/query-prover.js";
import { curveLoaded } from "../../src/setup/snark.js";
import { createAnswerVerifier } from "../../src/verifier/answer-verifier.js";
import { BINDING, register, testWorld } from "../fixtures/world.js";

/** Threads of this process, where /proc tells (undefined elsewhere). */
function threads(): number | undefined {
  if (!existsSync("/proc/self/status")) return undefined;
  return Number(/Threads:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
}

describe("the asker's verifier and threads", () => {
  it("checks answers on the calling thread: it starts no curve threads and loads no shared curve", async () => {
    const world = await testWorld();
    const reg = register();
    const query: ZkQuery = { kind: "membership", key: reg.rows[1]?.key ?? "" };
    const prover = createQueryProver({ pool: { size: 1, curveThreads: "none" } })({
      artifacts: world.registry,
    });
    prover.register("land.parcels", reg.dataset);
    const answer = await prover.prove("land.parcels", query, BINDING);
    await prover.close();

    const verifier = createAnswerVerifier({ now: () => 1_800_000_000_000 })({ keys: world.registry });
    const before = threads();
    await verifier.verify(answer, world.expected(reg, query));
    await verifier.verify(answer, world.expected(reg, query));
    // ffjavascript starts its per-core threads only for the curve snarkjs shares per thread.
    assert.equal(curveLoaded(), false);
    assert.equal(threads(), before);
    await verifier.close();
  });
});
