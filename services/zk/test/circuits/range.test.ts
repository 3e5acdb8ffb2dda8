import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ZkQuery } from "../../src/api.js";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { indexLeafAt, upperBoundary } from "../../src/commitment/sorted-index.js";
import type { CompiledCircuit } from "../../src/compile.js";
import { isZkError } from "../../src/errors.js";
import { buildInput } from "../../src/statements/index.js";
import { pathInput } from "../../src/statements/inputs.js";
import { PROPERTY_FIELDS } from "../commitment/fixtures.js";
import { BINDING, smallRegister } from "./context.js";
import { compiled, publicPart, satisfies, shutdown, tamper, violates, witness } from "./harness.js";

const reg = smallRegister();
const owner = String(reg.rows[2]!.fields.owner);
const owned = reg.rows.filter((r) => r.fields.owner === owner);
const values = reg.rows.map((r) => Number(r.fields.value)).sort((a, b) => a - b);

describe("range COUNT/SUM circuit", () => {
  let circuit: CompiledCircuit;
  before(async () => {
    circuit = await compiled("range", { depth: 4 });
  });
  after(shutdown);

  const honest: [string, ZkQuery, number][] = [
    [
      "count of one owner's properties",
      { kind: "count", field: "owner", from: owner, to: owner },
      owned.length,
    ],
    [
      "sum of one owner's areas",
      { kind: "sum", field: "owner", from: owner, to: owner, sumField: "area" },
      owned.length,
    ],
    ["count over an int range", { kind: "count", field: "value", from: values[2]!, to: values[8]! }, 7],
    ["sum over all values", { kind: "sum", field: "value", from: -1e12, to: 1e12, sumField: "value" }, 12],
    ["empty range", { kind: "count", field: "value", from: 1e12, to: 2e12 }, 0],
  ];
  for (const [name, query, count] of honest) {
    it(`proves an honest answer: ${name}`, async () => {
      const task = buildInput(reg.dataset, query, BINDING);
      assert.equal(task.circuit, "range-d4");
      assert.equal((task.expected as { count: number }).count, count);
      const w = await witness(circuit, task.input);
      assert.equal(await satisfies(circuit, w), true);
      assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
    });
  }

  it("computes sums a verifier can read", () => {
    const task = buildInput(
      reg.dataset,
      { kind: "sum", field: "value", from: -1e12, to: 1e12, sumField: "value" },
      BINDING,
    );
    const total = reg.rows.reduce((s, r) => s + BigInt(String(r.fields.value)), 0n);
    assert.deepEqual(task.expected, { kind: "sum", count: 12, sum: total.toString() });
  });

  const sumQuery: ZkQuery = { kind: "sum", field: "owner", from: owner, to: owner, sumField: "area" };

  it("rejects a tampered count or sum", async () => {
    const task = buildInput(reg.dataset, sumQuery, BINDING);
    const w = await witness(circuit, task.input);
    assert.equal(await satisfies(circuit, await tamper(w, 1, BigInt(owned.length + 1))), false);
    assert.equal(await satisfies(circuit, await tamper(w, 2, 5n)), false);
  });

  it("rejects fake prefix sums and boundaries that do not straddle the range", async () => {
    const task = buildInput(reg.dataset, sumQuery, BINDING);
    const i = task.input;
    await violates(
      circuit,
      { ...i, lowPrefix: (BigInt(i.lowPrefix as string) - 1n).toString() },
      "fake prefix",
    );
    await violates(
      circuit,
      { ...i, highPrefix: (BigInt(i.highPrefix as string) + 7n).toString() },
      "fake prefix",
    );
    // the upper boundary opened in place of the lower one: a leaf not straddling `from`
    await violates(circuit, {
      ...i,
      lowValue: i.highValue as string,
      lowNext: i.highNext as string,
      lowPrefix: i.highPrefix as string,
      lowBits: i.highBits as string[],
      lowSiblings: i.highSiblings as string[][],
    });
  });

  it("rejects an index with another sum field and another dataset's root", async () => {
    const task = buildInput(reg.dataset, sumQuery, BINDING);
    await violates(circuit, { ...task.input, sumTag: "3" }, "index keeps area sums, not value sums");
    const other = smallRegister(10);
    await violates(circuit, { ...task.input, root: other.dataset.root.toString() });
  });

  it("rejects boundary leaves opened in two different indexes", async () => {
    // two indexes over owner with the same order and positions, one keeping area sums: a count's upper
    // boundary from the second cannot pair with a lower boundary from the first, as both paths must end in
    // the one top node the entry hashes
    const twin = buildDatasetCommitment(PROPERTY_FIELDS, reg.rows, {
      depth: 4,
      indexes: [{ field: "owner", sum: "area" }, { field: "owner" }],
    }).dataset;
    const query: ZkQuery = { kind: "count", field: "owner", from: owner, to: owner };
    const task = buildInput(twin, query, BINDING);
    assert.equal(await satisfies(circuit, await witness(circuit, task.input)), true);
    const other = twin.indexes[1]!;
    const upper = upperBoundary(other, BigInt(task.input.to as string));
    const leaf = indexLeafAt(other, upper);
    const path = pathInput(other.tree.path(upper));
    assert.equal(leaf.value.toString(), task.input.highValue, "same order, same boundary");
    await violates(circuit, {
      ...task.input,
      highPrefix: leaf.prefix.toString(),
      highBits: path.bits,
      highSiblings: path.siblings,
    });
  });

  it("enforces a minimum group size in the circuit", async () => {
    const query: ZkQuery = { kind: "count", field: "value", from: values[0]!, to: values[1]! };
    assert.throws(
      () => buildInput(reg.dataset, query, BINDING, { minGroupSize: 3 }),
      (e) => isZkError(e, "GROUP_TOO_SMALL"),
    );
    const ok = buildInput(reg.dataset, query, BINDING, { minGroupSize: 2 });
    assert.equal(await satisfies(circuit, await witness(circuit, ok.input)), true);
    await violates(circuit, { ...ok.input, minGroup: "3" }, "count 2 below k = 3");
    const none = buildInput(reg.dataset, { ...query, from: 1e12, to: 2e12 }, BINDING, { minGroupSize: 3 });
    assert.equal(
      await satisfies(circuit, await witness(circuit, none.input)),
      true,
      "an empty answer is allowed",
    );
  });
});
