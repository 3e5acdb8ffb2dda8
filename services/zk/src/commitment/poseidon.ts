import { ZkError } from "../errors.js";
import { FIELD_ORDER } from "./field.js";
import { poseidonWasm } from "./poseidon-wasm.js";

/** circomlib Poseidon(n) over 1..16 canonical field elements (same constants as the circuits). */
export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > 16) {
    throw new ZkError("CAPACITY", `Poseidon takes 1..16 inputs, got ${inputs.length}`);
  }
  for (const x of inputs) {
    if (x < 0n || x >= FIELD_ORDER)
      throw new ZkError("PUBLIC_INPUT_RANGE", "Poseidon input is not a field element");
  }
  return poseidonWasm(inputs);
}

/** Most fields a row may have: 14 chunks of 16 under one Poseidon. */
export const MAX_FIELDS = 224;

/**
 * Digest of a row's encoded field values, in field order: 0 for no fields, Poseidon(values) up to 16, else
 * Poseidon over the Poseidon of each chunk of 16 (the last chunk shorter). The circuits compute the same.
 */
export function valuesDigest(values: readonly bigint[]): bigint {
  if (values.length === 0) return 0n;
  if (values.length <= 16) return poseidon(values);
  if (values.length > MAX_FIELDS) throw new ZkError("CAPACITY", `at most ${MAX_FIELDS} fields`);
  const chunks: bigint[] = [];
  for (let i = 0; i < values.length; i += 16) chunks.push(poseidon(values.slice(i, i + 16)));
  return poseidon(chunks);
}
