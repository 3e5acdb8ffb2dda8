import { integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { bytea, epochMs } from "./columns.js";

/** An agency's own dataset rows. They never go on the ledger and must stay erasable. */
export const localDatasetRows = pgTable(
  "local_dataset_rows",
  {
    dataset: text("dataset").notNull(),
    rowKey: text("row_key").notNull(),
    fields: jsonb("fields").$type<Record<string, unknown>>().notNull(),
    updatedMs: epochMs("updated_ms").notNull(),
  },
  (t) => [primaryKey({ name: "local_dataset_rows_pk", columns: [t.dataset, t.rowKey] })],
);

/**
 * Well-formedness evidence of the agency's own commitments, by dataset and root: public (chunk proofs and their
 * public inputs, the index layout), served to other agencies; proved once per commitment.
 */
export const localWellFormedEvidence = pgTable(
  "local_wellformed_evidence",
  {
    dataset: text("dataset").notNull(),
    root: bytea("root").notNull(),
    evidence: jsonb("evidence").$type<unknown>().notNull(),
    createdMs: epochMs("created_ms").notNull(),
  },
  (t) => [primaryKey({ name: "local_wellformed_evidence_pk", columns: [t.dataset, t.root] })],
);

/**
 * Chunk proofs of a well-formedness evidence still being proved, each kept as it completes so that a restarted
 * peer resumes where it stopped: by dataset, root, chunk circuit, verifying key hash (hex) and chunk index. Dropped
 * once the whole evidence is kept, or when another commitment of the dataset comes into force.
 */
export const localWellFormedChunks = pgTable(
  "local_wellformed_chunks",
  {
    dataset: text("dataset").notNull(),
    root: bytea("root").notNull(),
    circuit: text("circuit").notNull(),
    verifyingKeyHash: text("verifying_key_hash").notNull(),
    chunk: integer("chunk").notNull(),
    /** The chunk proof as proved: `{ publicSignals, proof }`. */
    value: jsonb("value").$type<unknown>().notNull(),
    createdMs: epochMs("created_ms").notNull(),
  },
  (t) => [
    primaryKey({
      name: "local_wellformed_chunks_pk",
      columns: [t.dataset, t.root, t.circuit, t.verifyingKeyHash, t.chunk],
    }),
  ],
);
