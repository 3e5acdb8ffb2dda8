import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DatasetCommitment } from "@coken/ledger";
import type { ExpectedAnswer, ZkQuery, ZkResult } from "../../src/api.js";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { FIELD_ORDER, fieldToBytes32 } from "../../src/commitment/field.js";
import { isZkError } from "../../src/errors.js";
import { buildInput, publicSignalsFor, requestHash, resultFromSignals } from "../../src/statements/index.js";
import { ownWellFormed } from "../../src/wellformed/evidence.js";
import { PROPERTY_FIELDS, propertyRows } from "../commitment/fixtures.js";

const rows = propertyRows(30);
const options = {
  depth: 6,
  indexes: [
    { field: "owner", sum: "area" },
    { field: "value", sum: "value" },
  ],
};
const built = buildDatasetCommitment(PROPERTY_FIELDS, rows, options);
const ledgerCommitment = (c: typeof built.commitment): DatasetCommitment => ({ ...c, verifyingKeys: [] });
const binding = {
  requester: "bank.region-b",
  nonce: new Uint8Array(16).fill(9),
  expiresAt: 1_800_000_000_000,
};
const row = rows[3]!;

const queries: ZkQuery[] = [
  { kind: "threshold", key: row.key, field: "area", op: "gte", value: "100.25" },
  { kind: "membership", key: row.key },
  { kind: "membership", key: "parcel-none" },
  { kind: "count", field: "owner", from: String(row.fields.owner), to: String(row.fields.owner) },
  {
    kind: "sum",
    field: "owner",
    from: String(row.fields.owner),
    to: String(row.fields.owner),
    sumField: "area",
  },
  { kind: "sum", field: "value", from: -50_000, to: 900_000, sumField: "value" },
  {
    kind: "filter",
    where: [{ field: "registered", op: "gte", value: "2015-01-01" }],
    aggregate: "sum",
    sumField: "area",
  },
];
const filter = { rows: 64, predicates: 2 };

function expectedFor(query: ZkQuery, over: Partial<ExpectedAnswer> = {}): ExpectedAnswer {
  return {
    commitment: ledgerCommitment(built.commitment),
    fields: PROPERTY_FIELDS,
    query,
    binding,
    wellFormed: ownWellFormed(built.dataset),
    ...over,
  };
}

describe("public signals", () => {
  for (const query of queries) {
    it(`agree between prover and verifier, and read back: ${query.kind}`, () => {
      const task = buildInput(built.dataset, query, binding, { filter });
      const expected = expectedFor(query);
      assert.deepEqual(publicSignalsFor(expected, task.expected, task.circuit), task.publicSignals);
      assert.deepEqual(resultFromSignals(expected, task.publicSignals), task.expected);
    });
  }

  it("differ for another requester, nonce, expiry, dataset, commitment version, policy k or result", () => {
    const query = queries[4]!;
    const task = buildInput(built.dataset, query, binding, { filter });
    const stale = buildDatasetCommitment(PROPERTY_FIELDS, rows.slice(0, 29), options);
    const otherDataset = buildDatasetCommitment(PROPERTY_FIELDS, propertyRows(30, 99), options);
    const over = (b: typeof stale): Partial<ExpectedAnswer> => ({
      commitment: ledgerCommitment(b.commitment),
      wellFormed: ownWellFormed(b.dataset),
    });
    const own = ownWellFormed(built.dataset);
    const result = task.expected as Extract<ZkResult, { kind: "sum" }>;
    const variants: [string, ExpectedAnswer, ZkResult][] = [
      ["requester", expectedFor(query, { binding: { ...binding, requester: "other.agency" } }), result],
      ["nonce", expectedFor(query, { binding: { ...binding, nonce: new Uint8Array(16).fill(8) } }), result],
      ["expiry", expectedFor(query, { binding: { ...binding, expiresAt: binding.expiresAt + 1 } }), result],
      ["stale commitment", expectedFor(query, over(stale)), result],
      ["other dataset", expectedFor(query, over(otherDataset)), result],
      [
        "rowCount",
        expectedFor(query, {
          commitment: { ...ledgerCommitment(built.commitment), rowCount: 31 },
          wellFormed: { ...own, rowCount: 31 },
        }),
        result,
      ],
      ["schema", expectedFor(query, { wellFormed: { ...own, schemaDigest: own.schemaDigest + 1n } }), result],
      ["policy k", expectedFor(query, { minGroupSize: 1 }), result],
      ["result count", expectedFor(query), { ...result, count: result.count + 1 }],
      ["result sum", expectedFor(query), { ...result, sum: `${result.sum}1` }],
      ["query", expectedFor({ ...query, to: `${String(row.fields.owner)}x` } as ZkQuery), result],
    ];
    for (const [what, expected, r] of variants) {
      assert.notDeepEqual(publicSignalsFor(expected, r, task.circuit), task.publicSignals, what);
    }
  });

  it("refuse a commitment without a verified well-formedness record for exactly it", () => {
    const query = queries[1]!;
    const task = buildInput(built.dataset, query, binding);
    const own = ownWellFormed(built.dataset);
    const stale = ownWellFormed(buildDatasetCommitment(PROPERTY_FIELDS, rows.slice(0, 29), options).dataset);
    for (const wellFormed of [undefined, stale, { ...own, rowCount: own.rowCount + 1 }]) {
      assert.throws(
        () => publicSignalsFor(expectedFor(query, { wellFormed }), task.expected, task.circuit),
        (e) => isZkError(e, "NOT_WELL_FORMED"),
      );
    }
  });

  it("refuse a circuit that does not prove the query", () => {
    const task = buildInput(built.dataset, queries[0]!, binding);
    const expected = expectedFor(queries[0]!);
    for (const circuit of ["range-d6", "threshold-d4-f5", "threshold-d6-f4", "membership-d6"]) {
      assert.throws(
        () => publicSignalsFor(expected, task.expected, circuit),
        (e) => isZkError(e, "PROOF_INVALID"),
      );
    }
    assert.throws(
      () => publicSignalsFor(expected, task.expected, "nonsense-d6"),
      (e) => isZkError(e, "CIRCUIT_UNKNOWN"),
    );
  });

  it("refuse values at or above the field order", () => {
    const query = queries[1]!;
    const over = { ...ledgerCommitment(built.commitment), root: fieldToBytes32(FIELD_ORDER - 1n).fill(0xff) };
    const task = buildInput(built.dataset, query, binding);
    assert.throws(
      () => publicSignalsFor(expectedFor(query, { commitment: over }), task.expected, task.circuit),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    const forged = [FIELD_ORDER.toString(), ...task.publicSignals.slice(1)];
    assert.throws(
      () => resultFromSignals(expectedFor(query), forged),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    const aliased = [(FIELD_ORDER + 1n).toString(), ...task.publicSignals.slice(1)];
    assert.throws(
      () => resultFromSignals(expectedFor(query), aliased),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.throws(
      () => resultFromSignals(expectedFor(query), ["2", ...task.publicSignals.slice(1)]),
      (e) => isZkError(e, "PROOF_INVALID"),
    );
  });

  it("bind a request hash to a 16-byte nonce", () => {
    const a = requestHash(binding, queries[1]!, built.dataset.root);
    assert.equal(a, requestHash({ ...binding }, queries[1]!, built.dataset.root));
    assert.ok(a < FIELD_ORDER);
    assert.throws(
      () => requestHash({ ...binding, nonce: new Uint8Array(15) }, queries[1]!, built.dataset.root),
      (e) => isZkError(e, "BAD_QUERY"),
    );
    assert.throws(
      () => requestHash(binding, queries[1]!, FIELD_ORDER),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
  });

  it("refuse queries the circuits cannot answer", () => {
    const bad: [string, ZkQuery][] = [
      ["UNSUPPORTED_QUERY", { kind: "count", field: "area", from: 1, to: 2 }],
      ["UNSUPPORTED_QUERY", { kind: "sum", field: "owner", from: "a", to: "a", sumField: "value" }],
      ["UNSUPPORTED_QUERY", { kind: "threshold", key: row.key, field: "owner", op: "gte", value: "a" }],
      ["BAD_QUERY", { kind: "threshold", key: row.key, field: "nope", op: "eq", value: 1 }],
      ["BAD_QUERY", { kind: "count", field: "value", from: 5, to: 4 }],
      ["FIELD_ENCODING", { kind: "threshold", key: row.key, field: "value", op: "gte", value: "1.5" }],
      [
        "UNSUPPORTED_QUERY",
        {
          kind: "filter",
          where: [
            { field: "value", op: "gte", value: 1 },
            { field: "value", op: "lte", value: 9 },
            { field: "active", op: "eq", value: true },
          ],
          aggregate: "count",
        },
      ],
    ];
    for (const [code, query] of bad) {
      assert.throws(
        () => buildInput(built.dataset, query, binding, { filter }),
        (e) => isZkError(e, code as never),
        code,
      );
    }
  });
});

describe("query shape", () => {
  it("refuses malformed queries from outside with BAD_QUERY, never a crash", () => {
    const malformed: unknown[] = [
      null,
      "count",
      { kind: "lookup", key: "x" },
      { kind: "membership" },
      { kind: "membership", key: "" },
      { kind: "threshold", key: "k", field: "value", op: "gt", value: 1 },
      { kind: "threshold", key: "k", field: "value", op: "range", value: 1 },
      { kind: "threshold", key: "k", field: "value", op: "gte", value: { n: 1 } },
      { kind: "count", field: "value", from: Number.NaN, to: 1 },
      { kind: "sum", field: "value", from: 1, to: 2 },
      { kind: "filter", where: "value > 1", aggregate: "count" },
      { kind: "filter", where: [], aggregate: "count" },
      { kind: "filter", where: [null], aggregate: "count" },
      { kind: "filter", where: [{ field: "value", op: "gte", value: 1 }], aggregate: "avg" },
      { kind: "membership", key: "x".repeat(2000) },
    ];
    for (const query of malformed) {
      assert.throws(
        () => buildInput(built.dataset, query as ZkQuery, binding),
        (e) => isZkError(e, "BAD_QUERY"),
        JSON.stringify(query),
      );
      assert.throws(
        () => publicSignalsFor(expectedFor(query as ZkQuery), { kind: "count", count: 1 }, "range-d6"),
        (e) => isZkError(e, "BAD_QUERY"),
      );
    }
  });
});
