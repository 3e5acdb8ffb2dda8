import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CompiledCircuit } from "../../src/compile.js";
import { buildInput } from "../../src/statements/index.js";
import { BINDING, smallRegister } from "./context.js";
import { compiled, publicPart, satisfies, shutdown, witness } from "./harness.js";

// The benchmark's depth (2^20 leaves) with a few rows: paths, zero hashes and signal order at full size.
const reg = smallRegister(200, 20);
const row = reg.rows[123]!;

describe("depth-20 circuits", () => {
  let threshold: CompiledCircuit;
  let range: CompiledCircuit;
  before(async () => {
    threshold = await compiled("threshold", { depth: 20, fields: 5 });
    range = await compiled("range", { depth: 20 });
  });
  after(shutdown);

  it("prove a threshold and a count over a depth-20 commitment", async () => {
    const cases = [
      {
        circuit: threshold,
        task: buildInput(
          reg.dataset,
          { kind: "threshold", key: row.key, field: "active", op: "eq", value: true },
          BINDING,
        ),
      },
      {
        circuit: range,
        task: buildInput(
          reg.dataset,
          { kind: "count", field: "owner", from: "person-1", to: "person-1" },
          BINDING,
        ),
      },
    ];
    for (const { circuit, task } of cases) {
      assert.equal(task.circuit, circuit.id);
      const w = await witness(circuit, task.input);
      assert.equal(await satisfies(circuit, w), true, task.circuit);
      assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
    }
  });
});
