import type { DatasetId } from "@coken/ledger";
import type { ProofBinding, ProveOptions, QueryProver, ZkAnswer, ZkQuery } from "../api.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { ZkError } from "../errors.js";
import type { ArtifactRegistry } from "../registry/artifacts.js";
import { buildInput, type StatementOptions } from "../statements/index.js";
import type { JobTimings } from "./messages.js";
import { type PoolStats, ProverPool, type ProverPoolInit } from "./pool.js";

export interface QueryProverInit {
  pool?: ProverPoolInit;
  /** Policy k and filter size, as the statements take them. */
  statements?: StatementOptions;
}

export interface QueryProverComponents {
  artifacts: ArtifactRegistry;
}

/** A timed answer: where the time went (statement building, witness, proving). */
export interface TimedAnswer {
  answer: ZkAnswer;
  timings: JobTimings & { inputMs: number };
}

/** The provider's prover: its committed datasets and a warm pool of prover threads. */
export interface LocalQueryProver extends QueryProver {
  /** Holds a committed dataset (built by `buildDatasetCommitment`) under its ledger id; replaces an older one. */
  register(dataset: DatasetId, committed: CommittedDataset): void;
  unregister(dataset: DatasetId): void;
  proveTimed(
    dataset: DatasetId,
    query: ZkQuery,
    binding: ProofBinding,
    options?: ProveOptions,
  ): Promise<TimedAnswer>;
  /** Resolves when every prover thread is warm. */
  ready(): Promise<void>;
  stats(): PoolStats;
}

/** Builds the provider-side prover over a pool of worker threads. Call `close()` to stop them. */
export function createQueryProver(init: QueryProverInit = {}) {
  return (components: QueryProverComponents): LocalQueryProver => {
    const pool = new ProverPool(init.pool);
    const datasets = new Map<DatasetId, CommittedDataset>();

    const proveTimed = async (
      id: DatasetId,
      query: ZkQuery,
      binding: ProofBinding,
      options: ProveOptions = {},
    ): Promise<TimedAnswer> => {
      const dataset = datasets.get(id);
      if (dataset === undefined)
        throw new ZkError("NOT_COMMITTED", `dataset ${id} is not registered`, { dataset: id });
      const t0 = performance.now();
      // the proof enforces the stricter of the provider's policy and the asker's (sent with the request)
      const own = init.statements?.minGroupSize ?? 0;
      const asked = options.minGroupSize ?? 0;
      const task = buildInput(dataset, query, binding, {
        ...init.statements,
        minGroupSize: Math.max(own, asked),
      });
      const inputMs = performance.now() - t0;
      const artifacts = components.artifacts.get(task.circuit);
      const run = await pool.run(
        { circuit: task.circuit, wasm: artifacts.wasm, zkey: artifacts.zkey, input: task.input },
        options,
      );
      const same =
        run.publicSignals.length === task.publicSignals.length &&
        run.publicSignals.every((s, i) => s === task.publicSignals[i]);
      if (!same)
        throw new ZkError(
          "PROOF_INVALID",
          `${task.circuit}: the proof's public signals differ from the statement`,
        );
      const answer: ZkAnswer = {
        result: task.expected,
        proof: {
          system: "groth16",
          circuit: task.circuit,
          verifyingKeyHash: Uint8Array.from(Buffer.from(artifacts.verifyingKeyHash, "hex")),
          publicSignals: run.publicSignals,
          proof: run.proof,
        },
      };
      return { answer, timings: { ...run.timings, inputMs } };
    };

    return {
      register: (id, committed) => void datasets.set(id, committed),
      unregister: (id) => void datasets.delete(id),
      proveTimed,
      prove: async (id, query, binding, options) => (await proveTimed(id, query, binding, options)).answer,
      ready: () => pool.ready(),
      stats: () => pool.stats(),
      close: () => pool.close(),
    };
  };
}
