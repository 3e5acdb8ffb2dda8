import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CIRCUITS, circuitId, circuitsFor, mainSource, parseCircuitId } from "../../src/circuits.js";
import { compileCircom } from "../../src/compile.js";
import { isZkError } from "../../src/errors.js";

describe("circuit registry", () => {
  it("names instances by their parameters and parses the names back", () => {
    const cases = [
      ["threshold", { depth: 20, fields: 8 }, "threshold-d20-f8"],
      ["membership", { depth: 4 }, "membership-d4"],
      ["range", { depth: 20 }, "range-d20"],
      ["filter", { depth: 20, fields: 6, rows: 64, predicates: 3 }, "filter-d20-f6-r64-p3"],
      ["wellformed", { depth: 0, fields: 5, indexes: 2, rows: 256 }, "wellformed-f5-i2-r256"],
      ["wellformed", { depth: 0, fields: 5, indexes: 2, rows: 1 }, "wellformed-f5-i2-r1"],
    ] as const;
    for (const [name, params, id] of cases) {
      assert.equal(circuitId(name, params), id);
      const parsed = parseCircuitId(id);
      assert.equal(parsed.def, CIRCUITS[name]);
      assert.deepEqual(parsed.params, params);
    }
    assert.deepEqual(
      circuitsFor("sum").map((c) => c.name),
      ["range"],
    );
  });

  it("refuses unknown ids and bad parameters", () => {
    for (const id of [
      "nope-d4",
      "range-d5",
      "range-d4-f2",
      "threshold-d4",
      "filter-d4-f3-r5-p2",
      "filter-d4-f3-r64-p2",
      "filter-d4-f3-r1-p2",
      "wellformed-f5-i2-r2",
    ]) {
      assert.throws(
        () => parseCircuitId(id),
        (e) => isZkError(e, "CIRCUIT_UNKNOWN"),
        id,
      );
    }
    assert.throws(
      () => circuitId("threshold", { depth: 20 }),
      (e) => isZkError(e, "CIRCUIT_UNKNOWN"),
    );
  });

  it("generates a main component listing the public inputs", () => {
    const src = mainSource(CIRCUITS.filter, { depth: 20, fields: 6, rows: 64, predicates: 3 });
    assert.match(src, /include "filter.circom";/);
    assert.match(
      src,
      /component main \{public \[root, requestHash, slot, useRange, useEq, lo, hi, sumSlot, useSum, minGroup, meta\]\} = Filter\(20, 6, 64, 3\);/,
    );
    assert.equal(
      CIRCUITS.filter.publicSignals({ depth: 20, fields: 6, rows: 64, predicates: 3 }).length,
      2 + 2 + 15 + 4,
    );
  });

  it("reports a compiler error as COMPILE_FAILED", async () => {
    const dir = await mkdtemp(join(tmpdir(), "coken-zk-compile-"));
    try {
      const main = join(dir, "broken.circom");
      await writeFile(
        main,
        "pragma circom 2.1.0;\ntemplate T() { signal input a; a === ; }\ncomponent main = T();\n",
      );
      const lines: string[] = [];
      await assert.rejects(
        compileCircom(main, { outDir: join(dir, "out"), onProgress: (l) => lines.push(l) }),
        (e) => isZkError(e, "COMPILE_FAILED"),
      );
      assert.ok(lines.length > 0, "compiler output reaches the progress callback");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
