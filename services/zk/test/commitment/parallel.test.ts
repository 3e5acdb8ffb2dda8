import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { buildDatasetCommitmentParallel } from "../../src/commitment/parallel.js";
import { rootFromPath } from "../../src/commitment/quadtree.js";
import { rowLeafAt, rowLeafHash } from "../../src/commitment/rows.js";
import { PROPERTY_FIELDS, propertyRows } from "./fixtures.js";

describe("parallel commitment build", () => {
  it("gives the same commitment and trees as the in-thread build", async () => {
    const rows = propertyRows(700);
    const options = { depth: 14, indexes: [{ field: "owner", sum: "area" }, { field: "value" }] };
    const inline = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    const parallel = await buildDatasetCommitmentParallel(PROPERTY_FIELDS, rows, {
      ...options,
      threads: 2,
      minParallel: 16,
    });
    assert.deepEqual(parallel.commitment, inline.commitment);
    assert.equal(parallel.dataset.indexes[1]?.tree.root, inline.dataset.indexes[1]?.tree.root);
    const pos = 432;
    const leaf = rowLeafHash(rowLeafAt(parallel.dataset.rows, pos));
    assert.equal(rootFromPath(leaf, parallel.dataset.rows.tree.path(pos)), parallel.dataset.rows.tree.root);
  });

  it("hashes digests of wide rows in chunks the same way", async () => {
    const fields = Array.from({ length: 20 }, (_, i) => ({
      name: `f${i}`,
      type: "int" as const,
      indexed: false,
      personal: false,
    }));
    const rows = Array.from({ length: 300 }, (_, r) => ({
      key: `k${r}`,
      fields: Object.fromEntries(fields.map((f, i) => [f.name, r * 31 + i])),
    }));
    const inline = buildDatasetCommitment(fields, rows, { depth: 14 });
    const parallel = await buildDatasetCommitmentParallel(fields, rows, {
      depth: 14,
      threads: 2,
      minParallel: 16,
    });
    assert.deepEqual(parallel.commitment, inline.commitment);
  });
});
