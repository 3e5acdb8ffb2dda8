import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { bytea, int8 } from "./columns.js";

/** Write-ahead log of consensus messages and timeouts, replayed after a restart. */
export const consensusWal = pgTable(
  "consensus_wal",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    height: int8("height").notNull(),
    round: integer("round").notNull(),
    kind: text("kind").notNull(),
    payload: bytea("payload").notNull(),
  },
  (t) => [index("consensus_wal_height_seq_idx").on(t.height, t.seq)],
);

/** Singleton: the last height/round/step this validator signed, guarding against double signing. */
export const consensusSignState = pgTable(
  "consensus_sign_state",
  {
    id: integer("id").primaryKey(),
    height: int8("height").notNull(),
    round: integer("round").notNull(),
    step: integer("step").notNull(),
    signBytes: bytea("sign_bytes"),
  },
  (t) => [check("consensus_sign_state_singleton", sql`${t.id} = 1`)],
);
