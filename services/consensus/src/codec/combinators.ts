import { codec, EncodingError, fields } from "@coken/ledger";

/** The ledger's schema decoders (one implementation for every Coken encoding), plus consensus' own field kinds. */
export const { array, bytes, isMap, uint, literal, nullable, struct } = codec;
export type Decoder<T> = codec.Decoder<T>;
export const { agencyId, hash32, signature } = fields;

/** A round or -1 ("none"). */
export const roundOrNone: Decoder<number> = (v, path) => {
  if (typeof v !== "number" || v < -1) throw new EncodingError("SCHEMA", "expected integer ≥ -1", path);
  return v;
};
