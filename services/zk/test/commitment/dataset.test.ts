import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDatasetCommitment, schemeDepth } from "../../src/commitment/dataset.js";
import { keyElement, ORDER_HIGH, ORDER_LOW, orderedElement } from "../../src/commitment/encode.js";
import { bytes32ToField } from "../../src/commitment/field.js";
import { poseidon } from "../../src/commitment/poseidon.js";
import { rootFromPath } from "../../src/commitment/quadtree.js";
import { locateKey, rowLeafAt, rowLeafHash } from "../../src/commitment/rows.js";
import {
  indexLeafAt,
  indexLeafHash,
  lowerBoundary,
  upperBoundary,
} from "../../src/commitment/sorted-index.js";
import { isZkError } from "../../src/errors.js";
import { PROPERTY_FIELDS, propertyRows, shuffled } from "./fixtures.js";

const rows = propertyRows(40);
const options = { depth: 6, indexes: [{ field: "owner", sum: "area" }, { field: "value" }] };

describe("dataset commitment", () => {
  it("is deterministic and independent of row order", () => {
    const a = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    const b = buildDatasetCommitment(PROPERTY_FIELDS, shuffled(rows), options);
    assert.deepEqual(a.commitment, b.commitment);
    assert.equal(a.commitment.scheme, "coken.zk.v1.d6");
    assert.equal(schemeDepth(a.commitment.scheme), 6);
    assert.equal(a.commitment.rowCount, 40);
    assert.deepEqual(a.commitment.indexedFields, ["owner", "value"]);
    assert.equal(bytes32ToField(a.commitment.root), a.dataset.root);
  });

  it("hashes the top children of the row and indexes trees with meta into the root", () => {
    const { dataset } = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    for (const tree of [dataset.rows.tree, dataset.indexesTree]) assert.equal(poseidon(tree.top), tree.root);
    const expected = poseidon([...dataset.rows.tree.top, ...dataset.indexesTree.top, dataset.meta]);
    assert.equal(dataset.root, expected);
    assert.notEqual(dataset.root, poseidon([dataset.rows.tree.root, dataset.indexesTree.root, dataset.meta]));
  });

  it("hashes each index entry over the tags and the index tree's top children, values within 129 bits", () => {
    const { dataset } = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    dataset.indexes.forEach((index, j) => {
      const entry = poseidon([BigInt(index.fieldTag), BigInt(index.sumTag), ...index.tree.top]);
      assert.equal(rootFromPath(entry, dataset.indexesTree.path(j)), dataset.indexesTree.root);
      const overRoot = poseidon([BigInt(index.fieldTag), BigInt(index.sumTag), index.tree.root]);
      assert.notEqual(rootFromPath(overRoot, dataset.indexesTree.path(j)), dataset.indexesTree.root);
      // the range circuit's ordered chains start at committed values, which must lie in [0, 2^128 + 1]
      for (let q = 0; q < index.ordered.length; q++) {
        const w = index.ordered.at(q)!;
        assert.ok(w >= ORDER_LOW && w <= ORDER_HIGH && (q === 0 || index.ordered.at(q - 1)! <= w));
      }
    });
  });

  it("changes when a value, a row, the depth or the index list changes", () => {
    const base = buildDatasetCommitment(PROPERTY_FIELDS, rows, options).commitment.root;
    const edited = rows.map((r, i) =>
      i === 5 ? { ...r, fields: { ...r.fields, active: !r.fields.active } } : r,
    );
    const variants = [
      buildDatasetCommitment(PROPERTY_FIELDS, edited, options),
      buildDatasetCommitment(PROPERTY_FIELDS, rows.slice(1), options),
      buildDatasetCommitment(PROPERTY_FIELDS, rows, { ...options, depth: 8 }),
      buildDatasetCommitment(PROPERTY_FIELDS, rows, { ...options, indexes: [{ field: "owner" }] }),
    ];
    for (const v of variants) assert.notDeepEqual(v.commitment.root, base);
  });

  it("opens every row by a path to the row root, keys sorted and linked", () => {
    const { dataset } = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    const keys = dataset.rows.keys;
    for (let pos = 0; pos <= rows.length; pos++) {
      const leaf = rowLeafAt(dataset.rows, pos);
      assert.equal(rootFromPath(rowLeafHash(leaf), dataset.rows.tree.path(pos)), dataset.rows.tree.root);
      assert.ok(leaf.key < leaf.nextKey);
      assert.equal(leaf.nextKey, keys.at(pos + 1) ?? ORDER_HIGH);
    }
    const present = locateKey(dataset.rows, keyElement("parcel-17"));
    assert.equal(present.found, true);
    const absent = locateKey(dataset.rows, keyElement("parcel-999"));
    const leaf = rowLeafAt(dataset.rows, absent.position);
    assert.equal(absent.found, false);
    assert.ok(leaf.key < keyElement("parcel-999") && keyElement("parcel-999") < leaf.nextKey);
  });

  it("answers count and sum over a range with two boundary leaves", () => {
    const { dataset } = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
    const index = dataset.indexes[1]!;
    for (const [from, to] of [
      [-200_000, 2_000_000],
      [0, 500_000],
      [100_000, 100_000],
      [1_999_000, 3_000_000],
      [5, 4],
    ] as const) {
      const lo = lowerBoundary(index, orderedElement("int", from));
      const hi = upperBoundary(index, orderedElement("int", to));
      const expected = rows.filter(
        (r) => Number(r.fields.value) >= from && Number(r.fields.value) <= to,
      ).length;
      assert.equal(Math.max(0, hi - lo), expected, `count in [${from}, ${to}]`);
      for (const q of [lo, hi]) {
        const leaf = indexLeafAt(index, q);
        assert.equal(rootFromPath(indexLeafHash(leaf), index.tree.path(q)), index.tree.root);
      }
    }
    const owner = dataset.indexes[0]!;
    const who = String(rows[3]!.fields.owner);
    const w = orderedElement("string", who);
    const lo = lowerBoundary(owner, w);
    const hi = upperBoundary(owner, w);
    const mine = rows.filter((r) => r.fields.owner === who);
    assert.equal(hi - lo, mine.length);
    const areaSum = mine.reduce((s, r) => s + Math.round(Number(r.fields.area) * 100), 0);
    const encodedSum = owner.prefix.at(hi)! - owner.prefix.at(lo)!;
    assert.equal(encodedSum - BigInt(mine.length) * (1n << 63n), BigInt(areaSum) * 10_000n);
  });

  it("refuses bad rows and schemas before building anything", () => {
    const cases: [string, () => unknown][] = [
      ["FIELD_ENCODING", () => buildDatasetCommitment(PROPERTY_FIELDS, [...rows, rows[0]!], options)],
      ["FIELD_ENCODING", () => buildDatasetCommitment(PROPERTY_FIELDS, [{ key: "x", fields: {} }], options)],
      [
        "FIELD_ENCODING",
        () =>
          buildDatasetCommitment(
            PROPERTY_FIELDS,
            [{ key: "x", fields: { ...rows[0]!.fields, area: "1.1234567" } }],
            options,
          ),
      ],
      ["CAPACITY", () => buildDatasetCommitment(PROPERTY_FIELDS, propertyRows(16), { depth: 4 })],
      ["BAD_QUERY", () => buildDatasetCommitment(PROPERTY_FIELDS, rows, { indexes: [{ field: "area" }] })],
      [
        "BAD_QUERY",
        () =>
          buildDatasetCommitment(PROPERTY_FIELDS, rows, { indexes: [{ field: "owner", sum: "registered" }] }),
      ],
    ];
    for (const [code, run] of cases) {
      assert.throws(run, (err) => isZkError(err, code as never), code);
    }
  });
});
