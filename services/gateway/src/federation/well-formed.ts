import { type AgencyId, type DatasetCommitment, type DatasetId, type FieldSpec, toHex } from "@coken/ledger";
import type { WellFormedCommitment } from "@coken/zk";

export interface WellFormedRecordsComponents {
  /** The provider's evidence for its commitment in force (public JSON), null when it has none yet. */
  fetch(provider: AgencyId, dataset: DatasetId): Promise<unknown>;
  /** Checks evidence against the ledger's commitment (zk `verifyWellFormed`); throws when it does not hold. */
  verify(
    evidence: unknown,
    commitment: DatasetCommitment,
    fields: readonly FieldSpec[],
  ): Promise<WellFormedCommitment>;
  now(): number;
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** How long a commitment whose evidence was missing or refused is not asked about again. */
export const EVIDENCE_RETRY_MS = 30_000;
/** Verified records kept (one per dataset commitment). */
const MAX_RECORDS = 4096;

/**
 * The asker's verified well-formedness records: the evidence of a commitment is fetched from its owner and
 * verified once, then its record is kept for as long as that commitment (root, rowCount, scheme) is in force.
 * Missing or refused evidence is asked for again only after EVIDENCE_RETRY_MS.
 */
export class WellFormedRecords {
  readonly #verified = new Map<string, WellFormedCommitment>();
  readonly #failed = new Map<string, number>();
  readonly #running = new Map<string, Promise<WellFormedCommitment | undefined>>();

  constructor(private readonly c: WellFormedRecordsComponents) {}

  /** The verified record of `commitment`, fetching and verifying its evidence when needed; undefined if none. */
  record(
    provider: AgencyId,
    dataset: DatasetId,
    commitment: DatasetCommitment,
    fields: readonly FieldSpec[],
  ): Promise<WellFormedCommitment | undefined> {
    const id = `${dataset}\n${toHex(commitment.root)}\n${commitment.rowCount}\n${commitment.scheme}`;
    const known = this.#verified.get(id);
    if (known !== undefined) return Promise.resolve(known);
    const failedAt = this.#failed.get(id);
    if (failedAt !== undefined && this.c.now() - failedAt < EVIDENCE_RETRY_MS)
      return Promise.resolve(undefined);
    let running = this.#running.get(id);
    if (running === undefined) {
      running = this.#fetch(id, provider, dataset, commitment, fields).finally(() =>
        this.#running.delete(id),
      );
      this.#running.set(id, running);
    }
    return running;
  }

  async #fetch(
    id: string,
    provider: AgencyId,
    dataset: DatasetId,
    commitment: DatasetCommitment,
    fields: readonly FieldSpec[],
  ): Promise<WellFormedCommitment | undefined> {
    try {
      const evidence = await this.c.fetch(provider, dataset);
      if (evidence === null || evidence === undefined) {
        this.#failed.set(id, this.c.now());
        return undefined;
      }
      const record = await this.c.verify(evidence, commitment, fields);
      if (this.#verified.size >= MAX_RECORDS) this.#verified.clear();
      this.#verified.set(id, record);
      this.#failed.delete(id);
      return record;
    } catch (e) {
      this.c.log?.warn("well-formedness evidence refused or unavailable", {
        provider,
        dataset,
        code: String((e as { code?: unknown }).code ?? "INTERNAL"),
      });
      this.#failed.set(id, this.c.now());
      return undefined;
    }
  }
}
