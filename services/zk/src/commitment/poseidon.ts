import * as lite from "poseidon-lite";
import { ZkError } from "../errors.js";

type Hash = (inputs: bigint[]) => bigint;

// circomlib's Poseidon(n) for n = 1..16 (same constants as the circuits).
const BY_ARITY: readonly Hash[] = [
  lite.poseidon1,
  lite.poseidon2,
  lite.poseidon3,
  lite.poseidon4,
  lite.poseidon5,
  lite.poseidon6,
  lite.poseidon7,
  lite.poseidon8,
  lite.poseidon9,
  lite.poseidon10,
  lite.poseidon11,
  lite.poseidon12,
  lite.poseidon13,
  lite.poseidon14,
  lite.poseidon15,
  lite.poseidon16,
];

/** circomlib Poseidon over 1..16 field elements. */
export function poseidon(inputs: readonly bigint[]): bigint {
  const hash = BY_ARITY[inputs.length - 1];
  if (hash === undefined) throw new ZkError("CAPACITY", `Poseidon takes 1..16 inputs, got ${inputs.length}`);
  return hash([...inputs]);
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
