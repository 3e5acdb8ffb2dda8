import type { Store } from "@coken/store";
import type { WellFormedChunk } from "@coken/zk";
import type { ResumedChunks } from "./evidence-prover.js";
import type { Logger } from "./log.js";

/**
 * The chunk proofs of an evidence being proved, kept in the store as each completes so that a restarted (or
 * crashed) peer resumes from them instead of from chunk 0. Store failures are logged and cost only resuming:
 * the evidence is still proved.
 */

const codeOf = (e: unknown): string => String((e as { code?: unknown }).code ?? "INTERNAL");

/** One run's chunks: of commitment `root` of `dataset`, kept while `live()` (the run is not stopped). */
export function evidenceChunks(
  c: { store: Store; log: Logger; now(): number },
  dataset: string,
  root: Uint8Array,
  live: () => boolean,
) {
  const pending = new Set<Promise<void>>();
  return {
    /** The chunks kept under this circuit and key (none when they cannot be read), and where new ones go. */
    async resume(circuit: string, verifyingKeyHash: string): Promise<ResumedChunks> {
      const kept = new Map<number, WellFormedChunk>();
      try {
        const stored = await c.store.localData.listWellFormedChunks(dataset, root, circuit, verifyingKeyHash);
        for (const { chunk, value } of stored) kept.set(chunk, value as WellFormedChunk);
      } catch (e) {
        c.log.warn("cannot read the kept chunk proofs: the evidence is proved from its first chunk", {
          dataset,
          code: codeOf(e),
        });
      }
      if (kept.size > 0)
        c.log.info("resuming the well-formedness evidence from its kept chunk proofs", {
          dataset,
          kept: kept.size,
        });
      return {
        kept,
        keep: (k, chunk) => {
          if (!live()) return;
          const put = c.store.localData
            .putWellFormedChunk(dataset, root, circuit, verifyingKeyHash, k, chunk, c.now())
            .catch((e: unknown) => {
              c.log.warn("cannot keep a chunk proof (a restart proves it again)", {
                dataset,
                chunk: k,
                code: codeOf(e),
              });
            })
            .finally(() => pending.delete(put));
          pending.add(put);
        },
      };
    },
    /** Resolves once every chunk handed to `keep` so far is written (or its failure logged). */
    async flushed(): Promise<void> {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

/**
 * Drops the dataset's kept chunk proofs: all of them (its evidence is kept), or those of commitments other than
 * `exceptRoot` (the one in force). A failure is logged: they are dropped on a later change.
 */
export async function dropEvidenceChunks(
  c: { store: Store; log: Logger },
  dataset: string,
  exceptRoot?: Uint8Array,
): Promise<void> {
  try {
    const dropped = await c.store.localData.deleteWellFormedChunks(dataset, exceptRoot);
    if (dropped > 0) c.log.debug("dropped kept chunk proofs", { dataset, chunks: dropped });
  } catch (e) {
    c.log.warn("cannot drop kept chunk proofs", { dataset, code: codeOf(e) });
  }
}
