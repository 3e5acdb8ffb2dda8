import type { FieldSpec } from "@coken/ledger";
import type { ProofBinding, ZkQuery, ZkResult } from "../api.js";
import type { CircuitParams } from "../circuits.js";
import type { CircuitInput } from "./inputs.js";

/** Everything a prover needs for one proof, and what the proof must show. */
export interface ProofTask {
  /** Circuit instance id, e.g. "threshold-d20-f8". */
  circuit: string;
  /** Witness input for the circuit's wasm (decimal strings). */
  input: CircuitInput;
  /** The answer the proof carries. */
  expected: ZkResult;
  /** The exact public signals the proof must have (same as publicSignalsFor on the asker's side). */
  publicSignals: string[];
}

/** What both sides know about one request: public facts only, no rows. */
export interface RequestContext {
  /** Commitment root as a field element. */
  root: bigint;
  depth: number;
  fields: readonly FieldSpec[];
  indexedFields: readonly string[];
  query: ZkQuery;
  binding: ProofBinding;
  minGroup: bigint;
  /** Poseidon(version, depth, rowCount, schemaDigest): binds the ledger's rowCount and the schema (§5). */
  meta: bigint;
}

/** Options of the prover side: policy k and the filter circuit's bounded size. */
export interface StatementOptions {
  minGroupSize?: number;
  /** Filter circuit parameters (default rows 64, predicates 3). */
  filter?: Pick<CircuitParams, "rows" | "predicates">;
}
