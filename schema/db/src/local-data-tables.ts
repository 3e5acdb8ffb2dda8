import { jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { epochMs } from "./columns.js";

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
