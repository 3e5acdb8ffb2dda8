import type { WellFormedCommitment } from "../api.js";
import { circuitId } from "../circuits.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { ORDER_HIGH } from "../commitment/encode.js";
import { fieldToBytes32 } from "../commitment/field.js";
import { rowLeafAt } from "../commitment/rows.js";
import type { IndexSpec } from "../commitment/sorted-index.js";
import { ZkError } from "../errors.js";
import type { ProverPool } from "../prover/pool.js";
import type { ArtifactRegistry } from "../registry/artifacts.js";
import type { Progress } from "../setup/progress.js";
import { type ChunkState, type CommitmentLeaves, chunkInput, chunkPlan, initialState } from "./chunks.js";
import { chunkSignals, keptChunkChecker, type WellFormedChunk } from "./resume.js";

/**
 * Default chunk size: 16 positions per proof (≈ 1,950 constraints a position with 5 fields and 2 indexes, 31,279 a
 * chunk, domain 2^15). Larger chunks cost little less per position and much more key and memory (docs/spec/zk.md
 * §11, docs/BENCHMARKS.md).
 */
export const DEFAULT_CHUNK_ROWS = 16;

/**
 * The owner's evidence that a commitment is well formed (docs/spec/zk.md §9): the index layout it was built
 * with (which the ledger does not list in full) and one proof per chunk of leaf positions 0..rowCount, in order.
 * Self-verifying against the ledger's commitment: anyone may carry it.
 */
export interface WellFormedEvidence {
  /** Circuit id of the chunk proofs, e.g. "wellformed-f5-i2-r16". */
  circuit: string;
  /** Hash (hex) of the chunk circuit's verifying key. */
  verifyingKeyHash: string;
  /** The indexes in commitment order: field and sum field. */
  indexes: IndexSpec[];
  chunks: WellFormedChunk[];
}

/** The leaves of an owner's committed trees, as the chunk proofs read them. */
export function committedLeaves(dataset: CommittedDataset): CommitmentLeaves {
  const slot = (name: string | undefined): number | null =>
    name === undefined ? null : dataset.fields.findIndex((f) => f.name === name);
  return {
    fieldCount: dataset.fields.length,
    indexes: dataset.indexes.map((ix) => ({
      fieldSlot: slot(ix.spec.field) ?? 0,
      sumSlot: slot(ix.spec.sum),
    })),
    row: (position) => rowLeafAt(dataset.rows, position),
    index: (j, position) => {
      const ix = dataset.indexes[j];
      if (ix === undefined) throw new ZkError("CAPACITY", `no index ${j}`);
      return {
        value: ix.ordered.at(position) ?? 0n,
        next: ix.ordered.at(position + 1) ?? ORDER_HIGH,
        prefix: ix.prefix.at(position) ?? 0n,
      };
    },
  };
}

/**
 * The well-formedness record of a commitment this process built itself with `buildDatasetCommitment` (well
 * formed by construction): what an owner uses for its own datasets. Others get it only from verifyWellFormed.
 */
export function ownWellFormed(dataset: CommittedDataset): WellFormedCommitment {
  return {
    root: fieldToBytes32(dataset.root),
    rowCount: dataset.rowCount,
    depth: dataset.depth,
    indexes: dataset.indexes.map((ix) => ({ ...ix.spec })),
    schemaDigest: dataset.schemaDigest,
  };
}

export interface ProveWellFormedOptions {
  chunkRows?: number;
  progress?: Progress;
  /** Called when the plan is known (done 0) and after each chunk proof, in completion order. */
  onChunk?: (done: number, total: number) => void;
  /** Stops the proof: queued chunks are dropped, running ones cancelled; the call throws CANCELLED. */
  signal?: AbortSignal;
  /**
   * Chunk proofs kept from an earlier run of this evidence, by chunk index (a restart resumes from them). Each is
   * taken only if its public signals are exactly those of its chunk here and its proof verifies under the chunk
   * circuit's key; any other is proved again. Taken chunks count as done in `onChunk`.
   */
  kept?: ReadonlyMap<number, WellFormedChunk>;
  /** Called with each chunk proved by this run (not with those taken from `kept`), in completion order. */
  onChunkProof?: (k: number, chunk: WellFormedChunk) => void;
}

/** The chunk circuit id of a dataset layout. */
export function wellFormedCircuit(fields: number, indexes: number, chunkRows = DEFAULT_CHUNK_ROWS): string {
  return circuitId("wellformed", { depth: 0, fields, indexes, rows: chunkRows });
}

/**
 * Proves every chunk of a committed dataset on the pool (all chunks are queued at once; the pool runs them as
 * its threads allow), taking instead the chunks `kept` from an earlier run that pass their check. Throws
 * PROOF_INVALID when a chunk's witness fails, which an honest build never does.
 */
export async function proveWellFormed(
  dataset: CommittedDataset,
  c: { artifacts: ArtifactRegistry; pool: ProverPool },
  options: ProveWellFormedOptions = {},
): Promise<WellFormedEvidence> {
  const rows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const leaves = committedLeaves(dataset);
  const circuit = wellFormedCircuit(leaves.fieldCount, leaves.indexes.length, rows);
  if (4 * rows > 2 ** dataset.depth)
    throw new ZkError(
      "CAPACITY",
      `chunks of ${rows} positions need a tree of more than ${dataset.depth} levels`,
    );
  const artifacts = c.artifacts.get(circuit);
  const accepts = keptChunkChecker(c.artifacts, artifacts.verifyingKeyHash);
  const plan = chunkPlan(dataset.rowCount, rows);
  const chunks: WellFormedEvidence["chunks"] = new Array(plan.chunks);
  let state: ChunkState = initialState(leaves.indexes.length);
  let done = 0;
  let failure: unknown;
  options.onChunk?.(0, plan.chunks);
  // Two chunks in flight per prover thread (at least 4): every thread stays busy, well inside the queue limit.
  // Chunks are independent once their inputs are planned, so more threads divide the wall time.
  const inFlightMax = Math.max(4, 2 * c.pool.size);
  const inFlight = new Set<Promise<void>>();
  for (let k = 0; k < plan.chunks; k++) {
    if (options.signal?.aborted === true || failure !== undefined) break;
    const before = state;
    const { input, next } = chunkInput(leaves, rows, k, plan.live(k), dataset.root, before);
    state = next;
    // A kept chunk is taken once checked (signals expected here and a proof that verifies); else proved again.
    const kept = options.kept?.get(k);
    const expected = (): string[] =>
      chunkSignals(dataset, leaves.indexes, rows, k, plan.live(k), before, next);
    if (kept !== undefined && (await accepts(kept, expected()))) {
      chunks[k] = { publicSignals: kept.publicSignals, proof: kept.proof };
      done += 1;
      options.progress?.(`well-formedness chunk ${done}/${plan.chunks} (kept)`);
      options.onChunk?.(done, plan.chunks);
      continue;
    }
    const job = c.pool
      .run(
        { circuit, wasm: artifacts.wasm, zkey: artifacts.zkey, input },
        { timeoutMs: 30 * 60_000, ...(options.signal === undefined ? {} : { signal: options.signal }) },
      )
      .then((r) => {
        const chunk = { publicSignals: r.publicSignals, proof: r.proof };
        chunks[k] = chunk;
        options.onChunkProof?.(k, chunk);
        done += 1;
        options.progress?.(`well-formedness chunk ${done}/${plan.chunks}`);
        options.onChunk?.(done, plan.chunks);
      });
    // Every job's failure is kept (none left unobserved); the first one stops the loop and is thrown.
    const tracked: Promise<void> = job
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= inFlightMax) await Promise.race(inFlight);
    if (failure !== undefined) break;
  }
  await Promise.all(inFlight);
  if (options.signal?.aborted === true) throw new ZkError("CANCELLED", "the evidence proof was cancelled");
  if (failure !== undefined) throw failure;
  return {
    circuit,
    verifyingKeyHash: artifacts.verifyingKeyHash,
    indexes: dataset.indexes.map((ix) => ({ ...ix.spec })),
    chunks,
  };
}
