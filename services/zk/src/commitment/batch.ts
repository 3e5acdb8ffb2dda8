import { poseidon } from "./poseidon.js";

/** Many Poseidon hashes of one arity: `inputs` holds count × arity field elements, hash i at i × arity. */
export interface HashBatch {
  arity: number;
  inputs: bigint[];
}

/**
 * A computation that asks for batches of hashes and finally returns T. The same steps run in-thread
 * (`runSteps`) or spread over worker threads (`buildDatasetCommitmentParallel`), so both give one result.
 */
export type HashSteps<T> = Generator<HashBatch, T, bigint[]>;

/** Asks for one batch and returns its hashes. */
export function* hashBatch(arity: number, inputs: bigint[]): HashSteps<bigint[]> {
  if (inputs.length === 0) return [];
  return yield { arity, inputs };
}

/** Hashes a batch in this thread. */
export function hashInline(batch: HashBatch): bigint[] {
  const out: bigint[] = new Array(batch.inputs.length / batch.arity);
  for (let i = 0; i < out.length; i++) {
    out[i] = poseidon(batch.inputs.slice(i * batch.arity, (i + 1) * batch.arity));
  }
  return out;
}

/** Runs steps to the end in this thread. */
export function runSteps<T>(steps: HashSteps<T>): T {
  let next = steps.next(undefined as unknown as bigint[]);
  while (!next.done) next = steps.next(hashInline(next.value));
  return next.value;
}

/** Runs steps to the end in this thread, giving the event loop a turn between batches. */
export async function runStepsYielding<T>(steps: HashSteps<T>): Promise<T> {
  let next = steps.next(undefined as unknown as bigint[]);
  while (!next.done) {
    const hashes = hashInline(next.value);
    await new Promise((resolve) => setImmediate(resolve));
    next = steps.next(hashes);
  }
  return next.value;
}
