import { ZkError } from "../errors.js";
import type { WellFormedEvidence } from "./evidence.js";

/** Upper bound on the chunks of one evidence (2^20 positions in chunks of 1): parsing stays bounded. */
const MAX_CHUNKS = 1 << 20;

const refuse = (why: string): never => {
  throw new ZkError("NOT_WELL_FORMED", `malformed well-formedness evidence: ${why}`);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const strings = (v: unknown, what: string): string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]) : refuse(what);

/**
 * Parses evidence received from another agency (JSON) into its typed shape, copying only the known members;
 * the proofs' encodings, the chain and the root are checked by `verifyWellFormed`. Throws NOT_WELL_FORMED.
 */
export function parseWellFormedEvidence(v: unknown): WellFormedEvidence {
  if (!isObject(v)) return refuse("not an object");
  const { circuit, verifyingKeyHash, indexes, chunks } = v;
  if (typeof circuit !== "string" || circuit.length > 100) refuse("circuit");
  if (typeof verifyingKeyHash !== "string" || !/^[0-9a-f]{64}$/.test(verifyingKeyHash)) refuse("key hash");
  if (!Array.isArray(indexes) || indexes.length > 64) return refuse("indexes");
  if (!Array.isArray(chunks) || chunks.length > MAX_CHUNKS) return refuse("chunks");
  return {
    circuit: circuit as string,
    verifyingKeyHash: verifyingKeyHash as string,
    indexes: indexes.map((ix) => {
      if (!isObject(ix) || typeof ix.field !== "string") return refuse("index");
      if (ix.sum === undefined || ix.sum === null) return { field: ix.field };
      return typeof ix.sum === "string" ? { field: ix.field, sum: ix.sum } : refuse("index sum");
    }),
    chunks: chunks.map((c) => {
      if (!isObject(c) || !isObject(c.proof)) return refuse("chunk");
      const p = c.proof;
      if (!Array.isArray(p.pi_b)) return refuse("proof");
      return {
        publicSignals: strings(c.publicSignals, "public signals"),
        proof: {
          pi_a: strings(p.pi_a, "proof"),
          pi_b: p.pi_b.map((row) => strings(row, "proof")),
          pi_c: strings(p.pi_c, "proof"),
        },
      };
    }),
  };
}
