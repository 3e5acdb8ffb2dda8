import type { ProofBinding } from "../../src/api.js";
import { buildDatasetCommitment } from "../../src/commitment/dataset.js";
import { PROPERTY_FIELDS, propertyRows } from "../commitment/fixtures.js";

/** A binding with a fixed nonce (tests need determinism, not secrecy). */
export const BINDING: ProofBinding = {
  requester: "housing.region-a",
  nonce: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  expiresAt: 1_900_000_000_000,
};

/** A small committed property register: 12 rows in a depth-4 tree (16 leaves). */
export function smallRegister(rows = 12, depth = 4) {
  const data = propertyRows(rows);
  const built = buildDatasetCommitment(PROPERTY_FIELDS, data, {
    depth,
    indexes: [
      { field: "owner", sum: "area" },
      { field: "value", sum: "value" },
    ],
  });
  return { rows: data, ...built };
}
