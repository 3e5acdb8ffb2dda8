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
    onChunk?: (done: number, total: number) => void,
  ): Promise<WellFormedCommitment>;
  now(): number;
  /**
   * How long a call waits for a fetch and verification under way (default VERIFY_WAIT_MS); past it the call goes on
   * without a record (refused when evidence is required) while the verification goes on for the next call.
   */
  waitMs?: number;
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/**
 * How long a commitment whose evidence was missing is not asked about again; after a refusal the wait doubles with
 * each further NOT_WELL_FORMED refusal of that commitment, up to EVIDENCE_RETRY_MAX_MS: a provider serving
 * evidence that fails late cannot make its askers check it again and again.
 */
export const EVIDENCE_RETRY_MS = 30_000;
export const EVIDENCE_RETRY_MAX_MS = 3_600_000;

/**
 * The wait after a failed fetch: EVIDENCE_RETRY_MS when there was no evidence or no answer, doubling with each
 * NOT_WELL_FORMED refusal of the commitment's evidence (`refusals` of them in a row).
 */
export function retryAfterMs(code: string, refusals: number): number {
  if (code !== "NOT_WELL_FORMED") return EVIDENCE_RETRY_MS;
  return Math.min(EVIDENCE_RETRY_MAX_MS, EVIDENCE_RETRY_MS * 2 ** Math.max(0, Math.min(20, refusals - 1)));
}
/** Default wait of a call for evidence being fetched and verified (large evidence takes minutes, §11). */
export const VERIFY_WAIT_MS = 5_000;
/** Verified records kept (one per dataset commitment), and refusals (the latest per commitment). */
const MAX_RECORDS = 4096;

/** A commitment whose evidence this asker verified. */
export interface VerifiedRecordView {
  provider: AgencyId;
  dataset: DatasetId;
  /** The ledger root the evidence was checked against (hex). */
  root: string;
  rowCount: number;
  /** Chunk proofs and chunk circuit of the evidence. */
  chunks: number;
  circuit: string;
  verifiedAt: number;
}

/** A commitment whose last evidence fetch found none (NO_EVIDENCE) or was refused (the error code). */
export interface RefusedRecordView {
  provider: AgencyId;
  dataset: DatasetId;
  code: string;
  at: number;
  /** NOT_WELL_FORMED refusals of this commitment's evidence so far; each doubles the wait before the next fetch. */
  refusals: number;
  /** When the evidence will be asked for again at the earliest. */
  retryAt: number;
}

/** A commitment whose evidence this asker is fetching (chunks 0) or verifying. */
export interface VerifyingRecordView {
  provider: AgencyId;
  dataset: DatasetId;
  root: string;
  /** Chunk proofs checked so far, of `chunks` (0 of 0 while fetching). */
  done: number;
  chunks: number;
  since: number;
}

/** What the chunk count and circuit are read from (the evidence JSON, once it verified). */
function evidenceShape(evidence: unknown): { chunks: number; circuit: string } {
  const e = evidence as { chunks?: unknown; circuit?: unknown };
  return {
    chunks: Array.isArray(e.chunks) ? e.chunks.length : 0,
    circuit: typeof e.circuit === "string" ? e.circuit : "",
  };
}

/**
 * The asker's verified well-formedness records: the evidence of a commitment is fetched from its owner and
 * verified once, then its record is kept for as long as that commitment (root, rowCount, scheme) is in force.
 * Missing evidence is asked for again after EVIDENCE_RETRY_MS, refused evidence after a wait that doubles. A call waits at most `waitMs` for
 * a verification under way (minutes for large evidence); its progress is in `list().verifying`.
 */
export class WellFormedRecords {
  readonly #verified = new Map<string, { record: WellFormedCommitment; view: VerifiedRecordView }>();
  readonly #refused = new Map<string, RefusedRecordView>();
  readonly #running = new Map<string, Promise<WellFormedCommitment | undefined>>();
  readonly #verifying = new Map<string, VerifyingRecordView>();

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
    if (known !== undefined) return Promise.resolve(known.record);
    const refused = this.#refused.get(id);
    if (refused !== undefined && this.c.now() < refused.retryAt) return Promise.resolve(undefined);
    let running = this.#running.get(id);
    if (running === undefined) {
      this.#verifying.set(id, {
        provider,
        dataset,
        root: toHex(commitment.root),
        done: 0,
        chunks: 0,
        since: this.c.now(),
      });
      running = this.#fetch(id, provider, dataset, commitment, fields).finally(() => {
        this.#running.delete(id);
        this.#verifying.delete(id);
      });
      this.#running.set(id, running);
    }
    return this.#within(running);
  }

  /** `running`, or undefined once the call's wait is over (the verification itself goes on). */
  #within(running: Promise<WellFormedCommitment | undefined>): Promise<WellFormedCommitment | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.c.waitMs ?? VERIFY_WAIT_MS);
      timer.unref();
    });
    return Promise.race([running, waited]).finally(() => clearTimeout(timer));
  }

  /** What this asker verified, and the commitments whose latest evidence fetch failed, oldest first. */
  list(): { verified: VerifiedRecordView[]; refused: RefusedRecordView[]; verifying: VerifyingRecordView[] } {
    return {
      verified: [...this.#verified.values()].map((v) => ({ ...v.view })),
      refused: [...this.#refused.values()].map((r) => ({ ...r })),
      verifying: [...this.#verifying.values()].map((v) => ({ ...v })),
    };
  }

  #refuse(id: string, provider: AgencyId, dataset: DatasetId, code: string): void {
    const before = this.#refused.get(id);
    const refusals = (before?.refusals ?? 0) + (code === "NOT_WELL_FORMED" ? 1 : 0);
    if (this.#refused.size >= MAX_RECORDS) this.#refused.clear();
    this.#refused.delete(id);
    const at = this.c.now();
    this.#refused.set(id, {
      provider,
      dataset,
      code,
      at,
      refusals,
      retryAt: at + retryAfterMs(code, refusals),
    });
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
        this.#refuse(id, provider, dataset, "NO_EVIDENCE");
        return undefined;
      }
      const record = await this.c.verify(evidence, commitment, fields, (done, chunks) => {
        const v = this.#verifying.get(id);
        if (v !== undefined) this.#verifying.set(id, { ...v, done, chunks });
      });
      if (this.#verified.size >= MAX_RECORDS) this.#verified.clear();
      const view: VerifiedRecordView = {
        provider,
        dataset,
        root: toHex(commitment.root),
        rowCount: record.rowCount,
        ...evidenceShape(evidence),
        verifiedAt: this.c.now(),
      };
      this.#verified.set(id, { record, view });
      this.#refused.delete(id);
      return record;
    } catch (e) {
      const code = String((e as { code?: unknown }).code ?? "INTERNAL");
      this.c.log?.warn("well-formedness evidence refused or unavailable", { provider, dataset, code });
      this.#refuse(id, provider, dataset, code);
      return undefined;
    }
  }
}
