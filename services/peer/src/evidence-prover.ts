import {
  type ArtifactRegistry,
  type CommittedDataset,
  ProverPool,
  type ProverPoolInit,
  parseCircuitId,
  proveWellFormed,
  type WellFormedChunk,
  type WellFormedEvidence,
  wellFormedCircuit,
} from "@coken/zk";
import type { ProvedDatasetConfig } from "./zk-config.js";

/** The chunk proofs an earlier run of an evidence kept, and where this run keeps each chunk it proves. */
export interface ResumedChunks {
  kept: ReadonlyMap<number, WellFormedChunk>;
  /** Must not throw (a failure to keep a chunk costs only its proof after a restart). */
  keep(k: number, chunk: WellFormedChunk): void;
}

/** One evidence proof: stopped by `signal` (a newer commitment came into force), reporting each chunk. */
export interface EvidenceJob {
  /** The dataset's id (its `zk.datasets` entry says whether this peer proves its evidence). */
  dataset: string;
  signal: AbortSignal;
  onChunk(done: number, total: number): void;
  /**
   * Called before proving, once the chunk circuit and its key are chosen: the chunk proofs kept by an earlier
   * run of this commitment's evidence under them (each checked again before it is taken), and where each new one
   * is kept. Without it, every chunk is proved and none is kept.
   */
  resume?(circuit: string, verifyingKeyHash: string): Promise<ResumedChunks>;
}

/** How long an evidence prover thread waits for the next chunk before it stops. */
const EVIDENCE_IDLE_MS = 60_000;

/**
 * The chunk size this peer proves a layout's evidence with: the largest of the chunk circuits installed for its
 * field and index counts that fits the tree (4·rows ≤ 2^depth); null when none is installed.
 */
export function chunkRowsFor(
  registry: ArtifactRegistry,
  fields: number,
  indexes: number,
  depth: number,
): number | null {
  let best: number | null = null;
  for (const a of registry.list()) {
    const { def, params } = parseCircuitId(a.circuit);
    const rows = params.rows ?? 0;
    if (def.name !== "wellformed" || params.fields !== fields || params.indexes !== indexes) continue;
    if (4 * rows <= 2 ** depth && (best === null || rows > best)) best = rows;
  }
  return best;
}

/**
 * Proves the well-formedness evidence of this agency's commitments on a pool of its own, whose threads start
 * with the first chunk and stop when idle (evidence is proved once per commitment, off the answer path).
 */
export function evidenceProver(
  registry: ArtifactRegistry,
  pool: ProverPoolInit,
  layouts: Record<string, ProvedDatasetConfig>,
) {
  let threads: ProverPool | undefined;
  return {
    /**
     * The evidence of a committed dataset; null when no chunk circuit for its layout is installed, or its config
     * says `evidence: false`.
     */
    prove(dataset: CommittedDataset, job: EvidenceJob): Promise<WellFormedEvidence> | null {
      if (layouts[job.dataset]?.evidence !== true) return null;
      const rows = chunkRowsFor(registry, dataset.fields.length, dataset.indexes.length, dataset.depth);
      if (rows === null) return null;
      const circuit = wellFormedCircuit(dataset.fields.length, dataset.indexes.length, rows);
      const { verifyingKeyHash } = registry.get(circuit);
      threads ??= new ProverPool({ ...pool, idleMs: pool.idleMs ?? EVIDENCE_IDLE_MS });
      const c = { artifacts: registry, pool: threads };
      return (async () => {
        const resumed = await job.resume?.(circuit, verifyingKeyHash);
        return proveWellFormed(dataset, c, {
          chunkRows: rows,
          signal: job.signal,
          onChunk: job.onChunk,
          ...(resumed === undefined
            ? {}
            : { kept: resumed.kept, onChunkProof: (k, chunk) => resumed.keep(k, chunk) }),
        });
      })();
    },
    async close(): Promise<void> {
      await threads?.close();
    },
  };
}
