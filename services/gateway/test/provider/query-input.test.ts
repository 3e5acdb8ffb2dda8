import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { GatewayError } from "../../src/errors.js";
import { parseDatasetQuery, queryFields } from "../../src/provider/query-input.js";

describe("dataset query input", () => {
  it("parses each kind and names the fields it reads", () => {
    assert.deepEqual(queryFields(parseDatasetQuery({ kind: "lookup", key: "k", fields: ["a", "b"] })), [
      "a",
      "b",
    ]);
    assert.deepEqual(
      queryFields(
        parseDatasetQuery({ kind: "threshold", key: "k", field: "a", op: "range", value: 1, upper: 5 }),
      ),
      ["a"],
    );
    assert.deepEqual(queryFields(parseDatasetQuery({ kind: "membership", key: "k" })), []);
    assert.deepEqual(queryFields(parseDatasetQuery({ kind: "count", field: "a", from: 1, to: 2 })), ["a"]);
    assert.deepEqual(
      queryFields(parseDatasetQuery({ kind: "sum", field: "a", from: 1, to: 2, sumField: "b" })),
      ["a", "b"],
    );
    const filter = parseDatasetQuery({
      kind: "filter",
      where: [
        { field: "a", op: "gte", value: 1 },
        { field: "c", op: "eq", value: "x" },
      ],
      aggregate: "sum",
      sumField: "b",
    });
    assert.deepEqual(queryFields(filter), ["a", "c", "b"]);
  });

  it("refuses unknown members, bad names, floats and out-of-shape values", () => {
    for (const q of [
      { kind: "lookup", key: "k", fields: ["a"], extra: 1 },
      { kind: "lookup", key: "k", fields: ["A-b"] },
      { kind: "lookup", key: "k", fields: ["a", "a"] },
      { kind: "threshold", key: "k", field: "a", op: "gt", value: 1 },
      { kind: "threshold", key: "k", field: "a", op: "gte", value: 1, upper: 2 },
      { kind: "count", field: "a", from: 0.5, to: 2 },
      { kind: "filter", where: [], aggregate: "count" },
      { kind: "filter", where: [{ field: "a", op: "eq", value: 1 }], aggregate: "count", sumField: "b" },
      { kind: "__proto__" },
      null,
      [],
    ])
      assert.throws(
        () => parseDatasetQuery(q),
        (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
        JSON.stringify(q),
      );
  });

  it("any JSON is either a query or a BAD_USER_INPUT, never a crash", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseDatasetQuery(v);
        } catch (e) {
          assert.ok(e instanceof GatewayError && e.code === "BAD_USER_INPUT");
        }
      }),
    );
  });
});
