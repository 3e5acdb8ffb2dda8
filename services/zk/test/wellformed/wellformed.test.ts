import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DatasetCommitment } from "@coken/ledger";
import fc from "fast-check";
import { buildDatasetCommitment, INDEXES_DEPTH, SCHEME_VERSION } from "../../src/commitment/dataset.js";
import { ORDER_HIGH } from "../../src/commitment/encode.js";
import { fieldToBytes32 } from "../../src/commitment/field.js";
import { poseidon } from "../../src/commitment/poseidon.js";
import { buildQuadTree } from "../../src/commitment/quadtree.js";
import { type RowLeaf, rowLeafHash } from "../../src/commitment/rows.js";
import { type IndexLeaf, indexEntryHash, indexLeafHash } from "../../src/commitment/sorted-index.js";
import type { CompiledCircuit } from "../../src/compile.js";
import { isZkError, type ZkErrorCode } from "../../src/errors.js";
import { createArtifactRegistry } from "../../src/registry/artifacts.js";
import type { CircuitArtifacts } from "../../src/setup/manifest.js";
import { buildInput } from "../../src/statements/index.js";
import {
  type ChunkState,
  type CommitmentLeaves,
  chunkInput,
  chunkOutputCount,
  chunkOutputs,
  chunkPlan,
  closes,
  initialState,
} from "../../src/wellformed/chunks.js";
import { committedLeaves, type WellFormedEvidence } from "../../src/wellformed/evidence.js";
import { provenRoot, verifyWellFormed } from "../../src/wellformed/verify.js";
import { publicPart, shutdown, violates, witness } from "../circuits/harness.js";
import { PROPERTY_FIELDS, propertyRows } from "../commitment/fixtures.js";
import { WELLFORMED_TEST_SPEC, wellFormedTestArtifacts } from "../fixtures/artifacts.js";
import { BINDING, register } from "../fixtures/world.js";

const INDEXES = [
  { field: "owner", sum: "area" },
  { field: "value", sum: "value" },
];

const ROWS = WELLFORMED_TEST_SPEC.params.rows ?? 1;
const DEPTH = 4;
const rejects = (p: Promise<unknown>, code: ZkErrorCode) =>
  assert.rejects(p, (e) => isZkError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));

/** A commitment root over arbitrary leaf contents, as a hostile owner would build it (no checks at all). */
function rootOf(
  leaves: CommitmentLeaves,
  positions: number,
  claimedRows: number,
  schema: bigint,
  entries: { fieldTag: number; sumTag: number; index: number }[],
): bigint {
  const at = (k: number) => Array.from({ length: k }, (_, q) => q);
  const rowTree = buildQuadTree(
    DEPTH,
    at(positions).map((q) => rowLeafHash(leaves.row(q))),
  );
  const indexTops = leaves.indexes.map(
    (_, j) =>
      buildQuadTree(
        DEPTH,
        at(positions).map((q) => indexLeafHash(leaves.index(j, q))),
      ).top,
  );
  const indexesTree = buildQuadTree(
    INDEXES_DEPTH,
    entries.map((e) => indexEntryHash(e.fieldTag, e.sumTag, indexTops[e.index] ?? [])),
  );
  const meta = poseidon([BigInt(SCHEME_VERSION), BigInt(DEPTH), BigInt(claimedRows), schema]);
  return poseidon([...rowTree.top, ...indexesTree.top, meta]);
}

/** Leaves of `base` with some positions replaced. */
function withLeaves(
  base: CommitmentLeaves,
  rows: Record<number, RowLeaf>,
  index: Record<string, IndexLeaf> = {},
): CommitmentLeaves {
  return {
    ...base,
    row: (q) => rows[q] ?? base.row(q),
    index: (j, q) => index[`${j}:${q}`] ?? base.index(j, q),
  };
}

describe(`well-formedness evidence (chunks of ${ROWS} position(s), depth 4)`, () => {
  const reg = register(6);
  const honest = committedLeaves(reg.dataset);
  const schema = reg.dataset.schemaDigest;
  const honestEntries = reg.dataset.indexes.map((ix, j) => ({
    fieldTag: ix.fieldTag,
    sumTag: ix.sumTag,
    index: j,
  }));
  const slots = honest.indexes;
  let artifacts: CircuitArtifacts;
  let circuit: CompiledCircuit;

  before(async () => {
    const t0 = performance.now();
    artifacts = await wellFormedTestArtifacts();
    circuit = { wasm: artifacts.wasm, r1cs: artifacts.r1cs } as CompiledCircuit;
    process.stderr.write(`well-formedness test keys ready in ${Math.round(performance.now() - t0)} ms\n`);
  });
  after(() => shutdown());

  /** Every chunk's witness for `leaves` under a claimed rowCount: the outputs the circuit forces, or a failure. */
  async function chunkWitnesses(leaves: CommitmentLeaves, rowCount: number, root: bigint) {
    const plan = chunkPlan(rowCount, ROWS);
    let state: ChunkState = initialState(slots.length);
    const rowBlocks: bigint[] = [];
    const indexBlocks: bigint[][] = slots.map(() => []);
    for (let k = 0; k < plan.chunks; k++) {
      const { input } = chunkInput(leaves, ROWS, k, plan.live(k), root, state);
      const file = await witness(circuit, input);
      const out = chunkOutputs(
        (await publicPart(file, chunkOutputCount(slots.length))).map(BigInt),
        slots.length,
      );
      state = out.state;
      rowBlocks.push(out.rowBlock);
      for (const [j, b] of out.indexBlocks.entries()) indexBlocks[j]?.push(b);
    }
    const proven = provenRoot({
      depth: DEPTH,
      rows: ROWS,
      rowCount,
      schemaDigest: schema,
      slots,
      rowBlocks,
      indexBlocks,
    });
    return { closes: closes(state), proven };
  }

  /** Witness inputs of every chunk (the first failing one is what a hostile owner cannot get past). */
  function inputs(leaves: CommitmentLeaves, rowCount: number, root: bigint) {
    const plan = chunkPlan(rowCount, ROWS);
    let state: ChunkState = initialState(slots.length);
    return Array.from({ length: plan.chunks }, (_, k) => {
      const { input, next } = chunkInput(leaves, ROWS, k, plan.live(k), root, state);
      state = next;
      return input;
    });
  }

  async function someChunkFails(leaves: CommitmentLeaves, rowCount: number, root: bigint, what: string) {
    const all = inputs(leaves, rowCount, root);
    const results = await Promise.allSettled(all.map((input) => witness(circuit, input)));
    assert.ok(
      results.some((r) => r.status === "rejected"),
      `${what}: every chunk's witness was accepted`,
    );
  }

  it("an honest commitment: every chunk holds, the chains close, and the chunks give its root", async () => {
    const r = await chunkWitnesses(honest, 6, reg.dataset.root);
    assert.equal(r.closes, true);
    assert.equal(r.proven, reg.dataset.root);
    assert.equal(rootOf(honest, 7, 6, schema, honestEntries), reg.dataset.root);
  });

  it("membership both ways (a skip leaf A→C beside A→B, B→C) has no evidence", async () => {
    const a = honest.row(1);
    const c = honest.row(3);
    const skip: RowLeaf = { key: a.key, nextKey: c.key, values: a.values };
    // the skip leaf as an 8th position: inside rowCount the key chain breaks ...
    const leaves = withLeaves(honest, { 7: skip }, { "0:7": honest.index(0, 6), "1:7": honest.index(1, 6) });
    const inside = rootOf(leaves, 8, 7, schema, honestEntries);
    await someChunkFails(leaves, 7, inside, "skip leaf inside rowCount");
    // ... outside it the circuit hashes that position as empty, so the proven root is another
    const outside = rootOf(leaves, 8, 6, schema, honestEntries);
    const r = await chunkWitnesses(leaves, 6, outside);
    assert.notEqual(r.proven, outside);
  });

  it("threshold both ways (a duplicate B leaf with another value) has no evidence", async () => {
    const b = honest.row(2);
    const dup: RowLeaf = {
      key: b.key,
      nextKey: b.nextKey,
      values: b.values.map((v, i) => (i === 2 ? v + 1n : v)),
    };
    // B, then B again in place of C (its successor): the key chain or the key order breaks wherever it sits
    for (const at of [3, 2]) {
      const leaves = withLeaves(honest, { [at]: at === 2 ? { ...b, nextKey: b.key } : dup });
      await someChunkFails(leaves, 6, rootOf(leaves, 7, 6, schema, honestEntries), `duplicate at ${at}`);
    }
  });

  it("COUNT from a second index entry with the same tags (phantom rows) has no evidence", async () => {
    // the phantom index: the `value` index's leaves with 12 rows where the dataset has 6
    const phantom = register(12);
    const twelve = committedLeaves(phantom.dataset);
    const leaves: CommitmentLeaves = {
      ...honest,
      indexes: [...slots, slots[1] ?? { fieldSlot: 2, sumSlot: 2 }],
      index: (j, q) => (j === 2 ? twelve.index(1, q) : honest.index(j, q)),
    };
    const entries = [...honestEntries, { ...(honestEntries[1] ?? honestEntries[0]!), index: 2 }];
    const root = rootOf(leaves, 7, 6, schema, entries);
    // the layout the owner would have to show lists the index twice: refused before any proof is read
    const keys = createArtifactRegistry([artifacts]);
    const commitment: DatasetCommitment = {
      ...reg.commitment,
      root: fieldToBytes32(root),
      verifyingKeys: [],
    };
    const duplicated: WellFormedEvidence = {
      circuit: artifacts.circuit,
      verifyingKeyHash: artifacts.verifyingKeyHash,
      indexes: [...reg.dataset.indexes.map((ix) => ix.spec), { field: "value", sum: "value" }],
      chunks: [],
    };
    await rejects(verifyWellFormed(duplicated, commitment, PROPERTY_FIELDS, keys), "NOT_WELL_FORMED");
    // the honest layout's chunks give the honest root, not this one
    const r = await chunkWitnesses(honest, 6, root);
    assert.notEqual(r.proven, root);
  });

  it("an index that is not a permutation of the rows fails the grand product", async () => {
    // a sorted, linked, prefix-consistent `value` index whose last value differs from every row's
    const last = honest.index(1, 6);
    const before = honest.index(1, 5);
    const bumped = { ...last, value: last.value + 1n, prefix: last.prefix + 1n };
    const leaves = withLeaves(honest, {}, { "1:5": { ...before, next: bumped.value }, "1:6": bumped });
    const r = await chunkWitnesses(leaves, 6, rootOf(leaves, 7, 6, schema, honestEntries));
    assert.equal(r.closes, false);
  });

  it("a filter over 4 rows under rowCount 3 has no evidence", async () => {
    const four = register(4);
    const leaves = committedLeaves(four.dataset);
    const root = rootOf(leaves, 5, 3, four.dataset.schemaDigest, honestEntries);
    const plan = chunkPlan(3, ROWS);
    assert.equal(plan.chunks * ROWS, 4);
    // position 4 is outside rowCount: no chunk hashes it, and the chain must close at position 3
    let state = initialState(slots.length);
    for (let k = 0; k < plan.chunks; k++) {
      const { input } = chunkInput(leaves, ROWS, k, plan.live(k), root, state);
      state = chunkOutputs(
        (await publicPart(await witness(circuit, input), chunkOutputCount(2))).map(BigInt),
        2,
      ).state;
    }
    assert.notEqual(state.key, ORDER_HIGH);
    assert.equal(closes(state), false);
  });

  it("property: random honest datasets and updates prove well formed, and every answer is the plain one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.nat(13), { maxLength: 3 }),
        async (n, seed, deletes) => {
          // an update sequence: rows deleted and one value changed, then committed again
          const rows = propertyRows(n, seed).filter((_, i) => !deletes.includes(i));
          const first = rows[0];
          if (first !== undefined) first.fields.value = String(Number(first.fields.value) + 1000);
          const built = buildDatasetCommitment(PROPERTY_FIELDS, rows, { depth: DEPTH, indexes: INDEXES });
          const r = await chunkWitnesses(committedLeaves(built.dataset), rows.length, built.dataset.root);
          assert.equal(r.closes, true);
          assert.equal(r.proven, built.dataset.root);
          const values = rows.map((row) => Number(row.fields.value));
          const [lo, hi] = [-100_000, 900_000];
          const inRange = rows.filter((_, i) => (values[i] ?? 0) >= lo && (values[i] ?? 0) <= hi);
          const count = buildInput(
            built.dataset,
            { kind: "count", field: "value", from: lo, to: hi },
            BINDING,
          );
          assert.deepEqual(count.expected, { kind: "count", count: inRange.length });
          const sum = buildInput(
            built.dataset,
            { kind: "sum", field: "value", from: lo, to: hi, sumField: "value" },
            BINDING,
          );
          const total = inRange.reduce((s, row) => s + BigInt(String(row.fields.value)), 0n);
          assert.equal((sum.expected as { sum: string }).sum, total.toString());
          for (const row of rows.slice(0, 2)) {
            const t = buildInput(
              built.dataset,
              { kind: "threshold", key: row.key, field: "value", op: "gte", value: 0 },
              BINDING,
            );
            assert.deepEqual(t.expected, { kind: "threshold", holds: Number(row.fields.value) >= 0 });
            const m = buildInput(built.dataset, { kind: "membership", key: `${row.key}x` }, BINDING);
            assert.deepEqual(m.expected, { kind: "membership", member: false });
          }
        },
      ),
      { numRuns: 6, seed: 11 },
    );
  });

  it("a chain that does not start at the sentinel fails its constraints", async () => {
    const state = { ...initialState(slots.length), key: 5n };
    const { input } = chunkInput(honest, ROWS, 0, chunkPlan(6, ROWS).live(0), reg.dataset.root, state);
    await violates(circuit, input);
  });
});
