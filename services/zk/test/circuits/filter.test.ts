import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ZkQuery } from "../../src/api.js";
import { rowLeafAt } from "../../src/commitment/rows.js";
import type { CompiledCircuit } from "../../src/compile.js";
import { isZkError } from "../../src/errors.js";
import { buildInput } from "../../src/statements/index.js";
import { dec } from "../../src/statements/inputs.js";
import { BINDING, smallRegister } from "./context.js";
import { compiled, publicPart, satisfies, shutdown, tamper, violates, witness } from "./harness.js";

const size = { rows: 16, predicates: 2 };
const reg = smallRegister(12, 6);
const query: ZkQuery = {
  kind: "filter",
  where: [
    { field: "active", op: "eq", value: true },
    { field: "area", op: "range", value: "50", upper: "400" },
  ],
  aggregate: "sum",
  sumField: "value",
};
const matching = reg.rows.filter(
  (r) => r.fields.active === true && Number(r.fields.area) >= 50 && Number(r.fields.area) <= 400,
);

describe("filter circuit", () => {
  let circuit: CompiledCircuit;
  before(async () => {
    circuit = await compiled("filter", { depth: 6, fields: 5, ...size });
  });
  after(shutdown);

  it("proves an honest count and sum over every committed row", async () => {
    assert.ok(
      matching.length >= 2 && matching.length < reg.rows.length,
      "fixture has matching and other rows",
    );
    const task = buildInput(reg.dataset, query, BINDING, { filter: size });
    assert.equal(task.circuit, "filter-d6-f5-r16-p2");
    const sum = matching.reduce((s, r) => s + BigInt(String(r.fields.value)), 0n);
    assert.deepEqual(task.expected, { kind: "filter", count: matching.length, sum: sum.toString() });
    const w = await witness(circuit, task.input);
    assert.equal(await satisfies(circuit, w), true);
    assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
    assert.equal(await satisfies(circuit, await tamper(w, 1, BigInt(matching.length - 1))), false, "count");
  });

  it("proves a count with one predicate and an unused slot", async () => {
    const one: ZkQuery = {
      kind: "filter",
      where: [{ field: "value", op: "gte", value: 0 }],
      aggregate: "count",
    };
    const task = buildInput(reg.dataset, one, BINDING, { filter: size });
    const expected = reg.rows.filter((r) => Number(r.fields.value) >= 0).length;
    assert.deepEqual(task.expected, { kind: "filter", count: expected });
    const w = await witness(circuit, task.input);
    assert.equal(await satisfies(circuit, w), true);
    assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
  });

  it("cannot omit a matching row or alter one", async () => {
    const task = buildInput(reg.dataset, query, BINDING, { filter: size });
    const keys = task.input.keys as string[];
    const position = keys.findIndex((_, pos) => {
      if (pos === 0 || pos > reg.rows.length) return false;
      const leaf = rowLeafAt(reg.dataset.rows, pos);
      return leaf.values[4] === 1n && leaf.values[1]! >= (1n << 63n) + 50_000_000n;
    });
    assert.ok(position > 0);
    const present = [...(task.input.present as string[])];
    present[position] = "0";
    await violates(circuit, { ...task.input, present }, "row marked absent");
    const values = (task.input.values as string[][]).map((v) => [...v]);
    values[position]![4] = "0";
    await violates(circuit, { ...task.input, values }, "row switched inactive");
    const zeroKey = [...keys];
    zeroKey[position] = "0";
    await violates(circuit, { ...task.input, keys: zeroKey }, "row disguised as the sentinel");
  });

  it("cannot leave rows outside the bounded block", async () => {
    const big = smallRegister(20, 6);
    assert.throws(
      () => buildInput(big.dataset, query, BINDING, { filter: size }),
      (e) => isZkError(e, "CAPACITY"),
    );
    // hand-built witness over the first 16 leaves of a 20-row dataset: the rest of the tree is not empty
    const small = buildInput(reg.dataset, query, BINDING, { filter: size });
    const leaves = Array.from({ length: 16 }, (_, pos) => rowLeafAt(big.dataset.rows, pos));
    await violates(circuit, {
      ...small.input,
      root: big.dataset.root.toString(),
      keys: dec(leaves.map((l) => l.key)),
      nextKeys: dec(leaves.map((l) => l.nextKey)),
      values: leaves.map((l) => dec(l.values)),
      present: leaves.map(() => "1"),
      indexesTop: dec(big.dataset.indexesTree.top),
      meta: big.dataset.meta.toString(),
    });
  });

  it("enforces a minimum group size", async () => {
    const task = buildInput(reg.dataset, query, BINDING, { filter: size });
    await violates(circuit, { ...task.input, minGroup: String(matching.length + 1) });
    assert.throws(
      () => buildInput(reg.dataset, query, BINDING, { filter: size, minGroupSize: matching.length + 1 }),
      (e) => isZkError(e, "GROUP_TOO_SMALL"),
    );
  });
});
