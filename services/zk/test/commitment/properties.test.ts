import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FieldSpec } from "@coken/ledger";
import fc from "fast-check";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { decodeSum, encodeValue, keyElement, orderedElement } from "../../src/commitment/encode.js";
import { rootFromPath } from "../../src/commitment/quadtree.js";
import { locateKey, rowLeafAt, rowLeafHash } from "../../src/commitment/rows.js";
import {
  indexLeafAt,
  indexLeafHash,
  lowerBoundary,
  upperBoundary,
} from "../../src/commitment/sorted-index.js";

const FIELDS: FieldSpec[] = [
  { name: "group", type: "int", indexed: true, personal: false },
  { name: "amount", type: "decimal", indexed: false, personal: false },
];
const I64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

describe("commitment properties", () => {
  it("encodings keep the order of ints, decimals and dates", () => {
    fc.assert(
      fc.property(I64, I64, (a, b) => {
        const [ea, eb] = [encodeValue("int", a.toString()), encodeValue("int", b.toString())];
        return a < b === ea < eb && ea < 1n << 64n;
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 0, max: 999_999 }),
        (whole, frac) => {
          const text = `${whole}.${String(frac).padStart(6, "0")}`;
          const enc = encodeValue("decimal", text);
          // decoding a one-row sum gives back the same number
          return encodeValue("decimal", decodeSum("decimal", enc, 1)) === enc;
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
          return encodeValue("date", next) - encodeValue("date", day) === 1n;
        },
      ),
    );
  });

  it("count and sum from two boundary leaves equal a scan, for any rows and range", () => {
    const rows = fc.uniqueArray(
      fc.record({
        key: fc.string({ minLength: 1, maxLength: 6 }),
        group: fc.integer({ min: -5, max: 5 }),
        cents: fc.integer({ min: -9999, max: 9999 }),
      }),
      { selector: (r) => r.key, maxLength: 40 },
    );
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: -7, max: 7 }),
        fc.integer({ min: 0, max: 6 }),
        (data, from, width) => {
          const to = from + width;
          const { dataset } = buildDatasetCommitment(
            FIELDS,
            data.map((r) => ({ key: r.key, fields: { group: r.group, amount: (r.cents / 100).toFixed(2) } })),
            { depth: 6, indexes: [{ field: "group", sum: "amount" }] },
          );
          const index = dataset.indexes[0]!;
          const lo = lowerBoundary(index, orderedElement("int", from));
          const hi = upperBoundary(index, orderedElement("int", to));
          const inRange = data.filter((r) => r.group >= from && r.group <= to);
          assert.equal(hi - lo, inRange.length);
          const sum = decodeSum("decimal", index.prefix.at(hi)! - index.prefix.at(lo)!, hi - lo);
          const cents = inRange.reduce((s, r) => s + r.cents, 0);
          assert.equal(Math.round(Number(sum) * 100), cents);
          for (const q of [lo, hi]) {
            assert.equal(
              rootFromPath(indexLeafHash(indexLeafAt(index, q)), index.tree.path(q)),
              index.tree.root,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("every key is either opened as present or straddled by one leaf", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 5 }),
        (keys, probe) => {
          const { dataset } = buildDatasetCommitment(
            FIELDS,
            keys.map((key) => ({ key, fields: { group: 1, amount: "1" } })),
            { depth: 6 },
          );
          const k = keyElement(probe);
          const at = locateKey(dataset.rows, k);
          const leaf = rowLeafAt(dataset.rows, at.position);
          assert.equal(at.found, keys.includes(probe));
          assert.ok(leaf.key <= k && k < leaf.nextKey);
          assert.equal(
            rootFromPath(rowLeafHash(leaf), dataset.rows.tree.path(at.position)),
            dataset.rows.tree.root,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
