import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { buildDatasetCommitmentIsolated } from "../../src/commitment/isolated.js";
import { rootFromPath } from "../../src/commitment/quadtree.js";
import { rowLeafAt, rowLeafHash } from "../../src/commitment/rows.js";
import { packCommitted, unpackCommitted } from "../../src/commitment/transfer.js";
import { isZkError } from "../../src/errors.js";
import { PROPERTY_FIELDS, propertyRows } from "./fixtures.js";

const OPTIONS = { depth: 10, indexes: [{ field: "owner", sum: "area" }, { field: "value" }] };

function* pagesOf<T>(rows: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

describe("commitment built in a process of its own", () => {
  const rows = propertyRows(300);
  const inline = buildDatasetCommitment(PROPERTY_FIELDS, rows, OPTIONS);

  it("gives the same commitment and trees as the in-process build, from rows sent in pages", async () => {
    async function* pages() {
      yield* pagesOf(rows, 64);
    }
    const built = await buildDatasetCommitmentIsolated(PROPERTY_FIELDS, pages(), { ...OPTIONS, threads: 1 });
    assert.deepEqual(built.commitment, inline.commitment);
    const d = built.dataset;
    assert.equal(d.root, inline.dataset.root);
    assert.deepEqual(d.indexes[0]?.tree.top, inline.dataset.indexes[0]?.tree.top);
    assert.deepEqual(d.indexes[1]?.prefix.words, inline.dataset.indexes[1]?.prefix.words);
    assert.deepEqual(d.rows.order, inline.dataset.rows.order);
    const pos = 123;
    assert.deepEqual(rowLeafAt(d.rows, pos), rowLeafAt(inline.dataset.rows, pos));
    assert.equal(rootFromPath(rowLeafHash(rowLeafAt(d.rows, pos)), d.rows.tree.path(pos)), d.rows.tree.root);
    assert.deepEqual(d.indexesTree.path(1), inline.dataset.indexesTree.path(1));
  });

  it("refuses bad rows with the in-process build's code", async () => {
    const bad = [...rows.slice(0, 10), { key: "x", fields: { ...rows[0]?.fields, value: "not a number" } }];
    await assert.rejects(buildDatasetCommitmentIsolated(PROPERTY_FIELDS, [bad], OPTIONS), (e) =>
      isZkError(e, "FIELD_ENCODING"),
    );
    await assert.rejects(buildDatasetCommitmentIsolated(PROPERTY_FIELDS, [rows], { depth: 4 }), (e) =>
      isZkError(e, "CAPACITY"),
    );
  });

  it("a failing row source ends the build with its own error and stops the process", async () => {
    async function* failing() {
      yield rows.slice(0, 10);
      throw new Error("store went away");
    }
    await assert.rejects(
      buildDatasetCommitmentIsolated(PROPERTY_FIELDS, failing(), OPTIONS),
      /store went away/,
    );
  });

  it("pack and unpack keep every array and refuse a mismatched one", () => {
    const packed = packCommitted(inline.dataset);
    const back = unpackCommitted(structuredClone(packed));
    assert.equal(back.root, inline.dataset.root);
    assert.deepEqual(back.rows.tree.path(7), inline.dataset.rows.tree.path(7));
    assert.deepEqual(back.indexes[0]?.tree.path(9), inline.dataset.indexes[0]?.tree.path(9));
    const short = { ...packed, arrays: packed.arrays.slice(0, -1) };
    assert.throws(() => unpackCommitted(short), RangeError);
    const wrong = {
      ...packed,
      arrays: packed.arrays.map((a) => (a instanceof Uint32Array ? new BigUint64Array(1) : a)),
    };
    assert.throws(() => unpackCommitted(wrong), RangeError);
  });
});
