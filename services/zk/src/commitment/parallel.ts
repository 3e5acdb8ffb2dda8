import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { FieldSpec } from "@coken/ledger";
import { ZkError } from "../errors.js";
import { type HashBatch, hashInline } from "./batch.js";
import { type BuiltCommitment, type CommitOptions, commitSteps } from "./dataset.js";
import { FIELD_ORDER } from "./field.js";
import type { DatasetRow } from "./rows.js";

/** Batches smaller than this (default) are hashed in the calling thread: posting them costs more than it saves. */
const MIN_PARALLEL = 4096;
const MASK = 0xffffffffffffffffn;

interface HashPool {
  hash(batch: HashBatch): Promise<bigint[]>;
  close(): Promise<void>;
}

function toWords(values: readonly bigint[], from: number, to: number): BigUint64Array {
  const words = new BigUint64Array((to - from) * 4);
  for (let i = from; i < to; i++) {
    const v = values[i] ?? 0n;
    if (v < 0n || v >= FIELD_ORDER)
      throw new ZkError("PUBLIC_INPUT_RANGE", "Poseidon input is not a field element");
    const w = (i - from) * 4;
    words[w] = v & MASK;
    words[w + 1] = (v >> 64n) & MASK;
    words[w + 2] = (v >> 128n) & MASK;
    words[w + 3] = v >> 192n;
  }
  return words;
}

function fromWords(words: BigUint64Array, out: bigint[]): void {
  for (let i = 0; i < words.length; i += 4) {
    out.push(
      ((words[i + 3] ?? 0n) << 192n) |
        ((words[i + 2] ?? 0n) << 128n) |
        ((words[i + 1] ?? 0n) << 64n) |
        (words[i] ?? 0n),
    );
  }
}

function startPool(threads: number): HashPool {
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL("./hash-worker.js", import.meta.url)),
  );
  let nextId = 0;
  const call = (worker: Worker, arity: number, words: BigUint64Array): Promise<BigUint64Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (msg: { id: number; words: BigUint64Array }): void => {
        if (msg.id !== id) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve(msg.words);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.postMessage({ id, arity, words }, [words.buffer as ArrayBuffer]);
    });
  return {
    async hash(batch) {
      const count = batch.inputs.length / batch.arity;
      const per = Math.ceil(count / workers.length);
      const parts = workers.map((worker, k) => {
        const from = Math.min(count, k * per);
        const to = Math.min(count, from + per);
        if (from === to) return Promise.resolve(new BigUint64Array(0));
        return call(worker, batch.arity, toWords(batch.inputs, from * batch.arity, to * batch.arity));
      });
      const out: bigint[] = [];
      for (const words of await Promise.all(parts)) fromWords(words, out);
      return out;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * `buildDatasetCommitment` with the hashing spread over worker threads (default: one per core). Same result;
 * worth it from tens of thousands of rows. The workers are ended before it returns.
 */
export async function buildDatasetCommitmentParallel(
  fields: readonly FieldSpec[],
  rows: readonly DatasetRow[],
  options: CommitOptions & { threads?: number; minParallel?: number } = {},
): Promise<BuiltCommitment> {
  const threads = options.threads ?? availableParallelism();
  const steps = commitSteps(fields, rows, options);
  let next = steps.next(undefined as unknown as bigint[]);
  if (next.done) return next.value;
  const pool = startPool(Math.max(1, threads));
  try {
    while (!next.done) {
      const batch = next.value;
      const out =
        batch.inputs.length / batch.arity < MIN_PARALLEL ? hashInline(batch) : await pool.hash(batch);
      next = steps.next(out);
    }
    return next.value;
  } finally {
    await pool.close();
  }
}
