import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ZkQuery } from "../../src/api.js";
import type { CompiledCircuit } from "../../src/compile.js";
import { isZkError } from "../../src/errors.js";
import { buildInput } from "../../src/statements/index.js";
import { BINDING, smallRegister } from "./context.js";
import { compiled, publicPart, satisfies, shutdown, tamper, violates, witness } from "./harness.js";

const reg = smallRegister();
const other = smallRegister(11);
const row = reg.rows[4]!;
const value = Number(row.fields.value);

describe("threshold circuit", () => {
  let circuit: CompiledCircuit;
  before(async () => {
    circuit = await compiled("threshold", { depth: 4, fields: 5 });
  });
  after(shutdown);

  const honest: [string, ZkQuery, boolean][] = [
    ["gte holds", { kind: "threshold", key: row.key, field: "value", op: "gte", value }, true],
    ["gte fails", { kind: "threshold", key: row.key, field: "value", op: "gte", value: value + 1 }, false],
    ["lte holds", { kind: "threshold", key: row.key, field: "value", op: "lte", value }, true],
    [
      "range on a date",
      {
        kind: "threshold",
        key: row.key,
        field: "registered",
        op: "range",
        value: "2000-01-01",
        upper: "2030-12-31",
      },
      true,
    ],
    [
      "eq on a string",
      { kind: "threshold", key: row.key, field: "owner", op: "eq", value: row.fields.owner! as string },
      true,
    ],
    [
      "eq on a string fails",
      { kind: "threshold", key: row.key, field: "owner", op: "eq", value: "nobody" },
      false,
    ],
    [
      "negative decimal bound",
      { kind: "threshold", key: row.key, field: "area", op: "gte", value: "-1.5" },
      true,
    ],
  ];
  for (const [name, query, holds] of honest) {
    it(`proves an honest answer: ${name}`, async () => {
      const task = buildInput(reg.dataset, query, BINDING);
      assert.equal(task.circuit, "threshold-d4-f5");
      assert.deepEqual(task.expected, { kind: "threshold", holds });
      const w = await witness(circuit, task.input);
      assert.equal(await satisfies(circuit, w), true);
      assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
    });
  }

  const query: ZkQuery = { kind: "threshold", key: row.key, field: "value", op: "gte", value };

  it("rejects a tampered result", async () => {
    const task = buildInput(reg.dataset, query, BINDING);
    const w = await witness(circuit, task.input);
    assert.equal(await satisfies(circuit, await tamper(w, 1, 0n)), false);
  });

  it("rejects another dataset's root, a changed value and a foreign key", async () => {
    const task = buildInput(reg.dataset, query, BINDING);
    const values = [...(task.input.values as string[])];
    values[2] = (BigInt(values[2]!) + 1000n).toString();
    const otherRow = buildInput(other.dataset, { ...query, key: other.rows[0]!.key }, BINDING);
    for (const input of [
      { ...task.input, root: other.dataset.root.toString() },
      { ...task.input, values },
      { ...task.input, key: otherRow.input.key as string },
    ]) {
      await violates(circuit, input);
    }
  });

  it("rejects ordered comparisons of hashed values and bounds past 64 bits", async () => {
    const task = buildInput(reg.dataset, query, BINDING);
    await violates(circuit, { ...task.input, slot: "0" }, "a 128-bit string hash is not ranged");
    await violates(circuit, { ...task.input, lo: (1n << 64n).toString() });
    await violates(circuit, { ...task.input, useRange: "0", useEq: "0" }, "neither mode");
    await violates(circuit, { ...task.input, useRange: "1", useEq: "1" }, "both modes");
    assert.throws(
      () => buildInput(reg.dataset, { ...query, field: "owner", value: "x" }, BINDING),
      (e) => isZkError(e, "UNSUPPORTED_QUERY"),
    );
  });

  it("cannot be built for a key that is not committed", () => {
    assert.throws(
      () => buildInput(reg.dataset, { ...query, key: "parcel-999" }, BINDING),
      (e) => isZkError(e, "NOT_COMMITTED"),
    );
  });
});
