import type { PGlite } from "@electric-sql/pglite";

const BYTEA_OID = 17;

/**
 * Makes PGlite move `bytea` values through Node's native hex codec. Its built-in serializer formats one byte at
 * a time in JavaScript (`toString(16)` per byte); for a validator storing megabyte blocks that was a third of its
 * busy time. bytea[] parameters pick this up too: PGlite's array serializer looks the element serializer up
 * per call.
 */
export function useNativeByteaCodec(client: PGlite): void {
  client.serializers[BYTEA_OID] = (value: unknown) => {
    if (!(value instanceof Uint8Array)) throw new TypeError("bytea parameter must be a Uint8Array");
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
  };
  // PostgreSQL sends bytea as `\x` followed by hex (bytea_output = hex, the default). The schema's bytea column
  // copies what it gets into a self-contained Uint8Array, so the Buffer (maybe a pool slice) is not copied here.
  client.parsers[BYTEA_OID] = (text: string) => Buffer.from(text.slice(2), "hex");
}
