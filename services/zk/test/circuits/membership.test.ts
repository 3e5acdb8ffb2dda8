import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keyElement } from "../../src/commitment/encode.js";
import { valuesDigest } from "../../src/commitment/poseidon.js";
import { locateKey, rowLeafAt } from "../../src/commitment/rows.js";
import type { CompiledCircuit } from "../../src/compile.js";
import { buildInput } from "../../src/statements/index.js";
import { pathInput } from "../../src/statements/inputs.js";
import { BINDING, smallRegister } from "./context.js";
import { compiled, publicPart, satisfies, shutdown, tamper, violates, witness } from "./harness.js";

const reg = smallRegister();
const present = reg.rows[7]!.key;
const absent = "parcel-404";

/** Input opening the leaf at `position` instead of the honest one. */
function openingAt(input: Record<string, unknown>, position: number) {
  const leaf = rowLeafAt(reg.dataset.rows, position);
  const path = pathInput(reg.dataset.rows.tree.path(position));
  return {
    ...(input as Record<string, string>),
    leafKey: leaf.key.toString(),
    nextKey: leaf.nextKey.toString(),
    digest: valuesDigest(leaf.values).toString(),
    pathBits: path.bits,
    siblings: path.siblings,
  };
}

describe("membership circuit", () => {
  let circuit: CompiledCircuit;
  before(async () => {
    circuit = await compiled("membership", { depth: 4 });
  });
  after(shutdown);

  for (const [key, member] of [
    [present, true],
    [absent, false],
  ] as const) {
    it(`proves ${member ? "membership" : "non-membership"} honestly`, async () => {
      const task = buildInput(reg.dataset, { kind: "membership", key }, BINDING);
      assert.deepEqual(task.expected, { kind: "membership", member });
      const w = await witness(circuit, task.input);
      assert.equal(await satisfies(circuit, w), true);
      assert.deepEqual(await publicPart(w, task.publicSignals.length), task.publicSignals);
      assert.equal(await satisfies(circuit, await tamper(w, 1, member ? 0n : 1n)), false, "tampered result");
    });
  }

  it("cannot deny a committed key by opening its predecessor", async () => {
    const task = buildInput(reg.dataset, { kind: "membership", key: present }, BINDING);
    const at = locateKey(reg.dataset.rows, keyElement(present)).position;
    await violates(circuit, openingAt(task.input, at - 1), "predecessor's next key equals the key");
  });

  it("rejects non-adjacent leaves and the wrong key order for an absent key", async () => {
    const task = buildInput(reg.dataset, { kind: "membership", key: absent }, BINDING);
    const at = locateKey(reg.dataset.rows, keyElement(absent)).position;
    for (const position of [0, at + 1, at - 1].filter((p) => p >= 0 && p !== at && p <= reg.rows.length)) {
      await violates(circuit, openingAt(task.input, position), `leaf ${position} does not straddle the key`);
    }
    // a leaf with its keys swapped is not committed
    const swapped = {
      ...task.input,
      leafKey: task.input.nextKey as string,
      nextKey: task.input.leafKey as string,
    };
    await violates(circuit, swapped, "swapped keys");
  });

  it("rejects another dataset's root", async () => {
    const other = smallRegister(10);
    const task = buildInput(reg.dataset, { kind: "membership", key: absent }, BINDING);
    await violates(circuit, { ...task.input, root: other.dataset.root.toString() });
  });
});
