import type { FieldSpec } from "@coken/ledger";
import { ZkError } from "../errors.js";
import { type HashSteps, runSteps } from "./batch.js";
import { isNumericType, taggedHash } from "./encode.js";
import { fieldToBytes32 } from "./field.js";
import { MAX_FIELDS, poseidon } from "./poseidon.js";
import { buildQuadTree, type QuadTree } from "./quadtree.js";
import { type DatasetRow, type RowTable, rowTableSteps } from "./rows.js";
import { type IndexSpec, indexEntryHash, type SortedIndex, sortedIndexSteps } from "./sorted-index.js";

/** Version of the commitment scheme, hashed into every root. */
export const SCHEME_VERSION = 1;
/** Default tree depth: 2^20 leaves, the size the benchmark circuits are built for. */
export const DEFAULT_DEPTH = 20;
/** Depth of the indexes tree: up to 64 indexes, as many as the ledger allows indexed fields. */
export const INDEXES_DEPTH = 6;

/** The ledger's `scheme` string of a commitment of this version and depth, e.g. "coken.zk.v1.d20". */
export function schemeName(depth: number): string {
  return `coken.zk.v${SCHEME_VERSION}.d${depth}`;
}

/** Depth named by a scheme string; throws COMMITMENT_MISMATCH for another scheme. */
export function schemeDepth(scheme: string): number {
  const m = /^coken\.zk\.v1\.d(\d{1,2})$/.exec(scheme);
  const depth = Number(m?.[1] ?? Number.NaN);
  if (!Number.isInteger(depth) || depth % 2 !== 0 || depth < 2 || depth > 32) {
    throw new ZkError("COMMITMENT_MISMATCH", `unknown commitment scheme ${scheme}`, { scheme });
  }
  return depth;
}

export interface CommitOptions {
  /** log2 of tree capacity, even (default 20); a dataset holds at most 2^depth − 1 rows. */
  depth?: number;
  /** Indexes to build (default: one per indexed field, without sums). At most 64. */
  indexes?: IndexSpec[];
}

/** The trees behind a commitment, kept by the owner to build witnesses. Rows never leave it. */
export interface CommittedDataset {
  scheme: string;
  depth: number;
  fields: readonly FieldSpec[];
  rowCount: number;
  rows: RowTable;
  indexes: SortedIndex[];
  indexesTree: QuadTree;
  schemaDigest: bigint;
  /** Poseidon(version, depth, rowCount, schemaDigest). */
  meta: bigint;
  /** commitmentRoot(rows.tree, indexesTree, meta): the commitment root as a field element. */
  root: bigint;
}

/** What goes into the ledger's DatasetCommitment (verifying keys are added by the artifact pipeline). */
export interface CommitmentData {
  scheme: string;
  root: Uint8Array;
  rowCount: number;
  indexedFields: string[];
}

/**
 * The commitment root: Poseidon over the four children of the row tree's top node, the four children of the
 * indexes tree's top node and meta (docs/spec/zk.md §5). Every circuit opens one of the two trees and takes the
 * other's top children as witness, so one Poseidon(9) stands for both top levels and a hash of the two roots.
 */
export function commitmentRoot(rowTree: QuadTree, indexesTree: QuadTree, meta: bigint): bigint {
  return poseidon([...rowTree.top, ...indexesTree.top, meta]);
}

/** Digest of the schema a commitment was built for: field names and types in order, and the index list. */
export function schemaDigest(
  depth: number,
  fields: readonly FieldSpec[],
  indexes: readonly IndexSpec[],
): bigint {
  const canonical = JSON.stringify({
    depth,
    fields: fields.map((f) => [f.name, f.type]),
    indexes: indexes.map((i) => [i.field, i.sum ?? null]),
  });
  return taggedHash("schema", new TextEncoder().encode(canonical), 31);
}

/** Checks a field list and index layout (distinct names, indexed fields, summable sum fields, no duplicate index). */
export function checkSchema(fields: readonly FieldSpec[], indexes: readonly IndexSpec[]): void {
  const byName = new Map(fields.map((f) => [f.name, f]));
  if (byName.size !== fields.length) throw new ZkError("BAD_QUERY", "field names must be distinct");
  if (fields.length > MAX_FIELDS) throw new ZkError("CAPACITY", `at most ${MAX_FIELDS} fields`);
  if (indexes.length > 2 ** INDEXES_DEPTH) throw new ZkError("CAPACITY", "at most 64 indexes");
  const seen = new Set<string>();
  for (const spec of indexes) {
    const field = byName.get(spec.field);
    if (field === undefined || !field.indexed) {
      throw new ZkError("BAD_QUERY", `index field ${spec.field} is not an indexed field`, { index: spec });
    }
    const sum = spec.sum === undefined ? undefined : byName.get(spec.sum);
    if (spec.sum !== undefined && (sum === undefined || !isNumericType(sum.type) || sum.type === "date")) {
      throw new ZkError("BAD_QUERY", `index sum field ${spec.sum} is not an int, decimal or bool field`);
    }
    const id = `${spec.field}\u0000${spec.sum ?? ""}`;
    if (seen.has(id)) throw new ZkError("BAD_QUERY", "duplicate index", { index: spec });
    seen.add(id);
  }
}

/**
 * Commits to a dataset: encodes and sorts the rows, builds the row tree, one sorted prefix-sum tree per index,
 * the indexes tree and the root (docs/spec/zk.md §Commitment). Deterministic and independent of row order.
 * Throws ZkError (FIELD_ENCODING, CAPACITY, BAD_QUERY) before building anything on bad input.
 */
export function buildDatasetCommitment(
  fields: readonly FieldSpec[],
  rows: readonly DatasetRow[],
  options: CommitOptions = {},
): BuiltCommitment {
  return runSteps(commitSteps(fields, rows, options));
}

/** A commitment for the ledger and the trees behind it. */
export interface BuiltCommitment {
  commitment: CommitmentData;
  dataset: CommittedDataset;
}

/** The steps of `buildDatasetCommitment`, for running in this thread or on worker threads. */
export function* commitSteps(
  fields: readonly FieldSpec[],
  rows: readonly DatasetRow[],
  options: CommitOptions = {},
): HashSteps<BuiltCommitment> {
  const depth = options.depth ?? DEFAULT_DEPTH;
  const indexSpecs = options.indexes ?? fields.filter((f) => f.indexed).map((f) => ({ field: f.name }));
  checkSchema(fields, indexSpecs);
  if (!Number.isInteger(depth) || depth % 2 !== 0 || depth < 2 || depth > 32) {
    throw new ZkError("CAPACITY", "depth must be an even integer in 2..32");
  }
  if (rows.length >= 2 ** depth) {
    throw new ZkError("CAPACITY", `${rows.length} rows do not fit a tree of depth ${depth}`, { depth });
  }
  const table = yield* rowTableSteps(depth, fields, rows);
  const indexes: SortedIndex[] = [];
  for (const spec of indexSpecs) indexes.push(yield* sortedIndexSteps(depth, fields, table, spec));
  const indexesTree = buildQuadTree(
    INDEXES_DEPTH,
    indexes.map((ix) => indexEntryHash(ix.fieldTag, ix.sumTag, ix.tree.top)),
  );
  const digest = schemaDigest(depth, fields, indexSpecs);
  const meta = poseidon([BigInt(SCHEME_VERSION), BigInt(depth), BigInt(rows.length), digest]);
  const root = commitmentRoot(table.tree, indexesTree, meta);
  const indexedFields = [...new Set(indexSpecs.map((s) => s.field))];
  const scheme = schemeName(depth);
  return {
    commitment: { scheme, root: fieldToBytes32(root), rowCount: rows.length, indexedFields },
    dataset: {
      scheme,
      depth,
      fields,
      rowCount: rows.length,
      rows: table,
      indexes,
      indexesTree,
      schemaDigest: digest,
      meta,
      root,
    },
  };
}
