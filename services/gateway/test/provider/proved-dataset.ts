import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FieldSpec } from "@coken/ledger";
import { buildArtifacts, type CircuitArtifacts, type IndexSpec } from "@coken/zk";

/** Artifact cache of the tests: small dev-key circuits built once, by content, and reused across runs. */
export const ZK_CACHE = process.env.COKEN_ZK_TEST_CACHE ?? join(tmpdir(), "coken-zk-test-cache");

/** A land register of ten parcels: five fields (the small threshold circuit's width), two indexed. */
export const FIELDS: FieldSpec[] = [
  { name: "owner", type: "string", indexed: true, personal: true },
  { name: "area", type: "decimal", indexed: false, personal: false },
  { name: "value", type: "int", indexed: true, personal: false },
  { name: "registered", type: "date", indexed: false, personal: false },
  { name: "active", type: "bool", indexed: false, personal: false },
];
export const ROWS = Array.from({ length: 10 }, (_, i) => ({
  key: `parcel-${i}`,
  fields: {
    owner: `person-${i % 4}`,
    area: `${40 + i * 7}.50`,
    value: String(100_000 * (i + 1)),
    registered: `2020-0${1 + (i % 9)}-15`,
    active: i % 3 !== 0,
  },
}));
export const INDEXES: IndexSpec[] = [
  { field: "owner", sum: "area" },
  { field: "value", sum: "value" },
];

/** Builds (or finds) dev-key artifacts of depth-4 circuits: threshold and membership, and range when asked. */
export function smallArtifacts(withRange = false): Promise<CircuitArtifacts[]> {
  return buildArtifacts(
    [
      { name: "threshold", params: { depth: 4, fields: FIELDS.length } },
      { name: "membership", params: { depth: 4 } },
      ...(withRange ? [{ name: "range" as const, params: { depth: 4 } }] : []),
    ],
    { cacheDir: ZK_CACHE, phaseOne: { kind: "dev" } },
  );
}

/** Dev-key artifacts of the well-formedness chunk circuit for FIELDS and INDEXES, chunks of one position. */
export async function wellFormedArtifacts(): Promise<CircuitArtifacts> {
  const [a] = await buildArtifacts(
    [{ name: "wellformed", params: { depth: 0, fields: FIELDS.length, indexes: INDEXES.length, rows: 1 } }],
    { cacheDir: ZK_CACHE, phaseOne: { kind: "dev" } },
  );
  if (a === undefined) throw new Error("no well-formedness artifacts");
  return a;
}
