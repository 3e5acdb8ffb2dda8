import { bigint, customType } from "drizzle-orm/pg-core";

/**
 * `bytea` as a plain Uint8Array. node-postgres hands back Buffers (often views into a shared pool slab),
 * PGlite plain Uint8Arrays; copying gives both dialects the same, self-contained value.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: (value) => new Uint8Array(value),
});

/** Milliseconds since the Unix epoch, stored as int8 and read back as a JS number. */
export const epochMs = (name: string) => bigint(name, { mode: "number" });

/** Block heights and sequence numbers: int8 in the database, a safe integer in JS. */
export const int8 = (name: string) => bigint(name, { mode: "number" });
