import { type AgencyId, bytesEqual, type Dataset, type DatasetCommitment, keys, toHex } from "@coken/ledger";
import type { Store } from "@coken/store";
import {
  type ArtifactRegistry,
  type BuiltCommitment,
  buildDatasetCommitmentIsolated,
  type CommittedDataset,
  type DatasetRow,
  type LocalQueryProver,
  type RowValue,
  type WellFormedEvidence,
} from "@coken/zk";
import { dropEvidenceChunks, evidenceChunks } from "./evidence-chunks.js";
import type { EvidenceJob } from "./evidence-prover.js";
import type { Logger } from "./log.js";
import type { ProvedDatasetConfig } from "./zk-config.js";

/** Rows per read: the store's largest page. */
const PAGE = 1000;

/** Where one of this agency's proved datasets stands. */
export type ProvedDatasetState =
  /** The rows here build the commitment in force: proved answers are served. */
  | "proving"
  /** The commitment in force is being rebuilt from the rows here. */
  | "building"
  /**
   * The rows build the commitment in force; its well-formedness evidence is being proved (answers wait; with
   * development keys they are served meanwhile, and the state is "proving").
   */
  | "proving-evidence"
  /**
   * No chunk-circuit key here for this layout (or `evidence: false`): no evidence, so no proved answers (unless
   * development keys).
   */
  | "no-evidence"
  /** Not (yet) committed on the ledger, or not this agency's. */
  | "uncommitted"
  /** The rows here build another root than the one in force (rows changed since, or another layout). */
  | "root-mismatch"
  /** The commitment in force lists verifying keys this peer does not prove with. */
  | "keys-mismatch"
  /** The rows could not be committed (bad values, too many rows); the error code says why. */
  | "failed";

/** The well-formedness evidence of the commitment in force, as far as this peer has it. */
export interface EvidenceStatus {
  /** proved: kept and served; proving: chunk proofs under way; none: no chunk-circuit key here; failed. */
  state: "proved" | "proving" | "none" | "failed";
  /** Chunk proofs the evidence has (proved) or needs (proving, once planned). */
  chunks?: number;
  /** Chunk proofs done so far (proving). */
  done?: number;
  code?: string;
}

export interface ProvedDatasetStatus {
  dataset: string;
  state: ProvedDatasetState;
  /** Commitment version the state refers to. */
  version: number | null;
  code?: string;
  /** Set once the rows build the commitment in force. */
  evidence?: EvidenceStatus;
}

export interface ProvedDatasetsComponents {
  self: AgencyId;
  ledger: { get(key: string): unknown };
  store: Store;
  registry: ArtifactRegistry;
  prover: LocalQueryProver;
  /**
   * Proves a commitment's well-formedness evidence; null when no chunk-circuit key fits its layout or the dataset's
   * config says `evidence: false`.
   */
  proveEvidence(dataset: CommittedDataset, job: EvidenceJob): Promise<WellFormedEvidence> | null;
  /**
   * Serve proved answers before or without evidence (`zk.requireEvidence` false, development keys only: answers
   * are forgeable anyway).
   */
  devKeys: boolean;
  now(): number;
  log: Logger;
}

/** Reads a dataset's rows from the agency's own store, in key order, a page at a time. Never logs them. */
export async function* storedRowPages(store: Store, dataset: string): AsyncGenerator<DatasetRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.localData.listRows(
      dataset,
      after === undefined ? { limit: PAGE } : { after, limit: PAGE },
    );
    yield page.rows.map((r) => ({ key: r.key, fields: r.fields as Record<string, RowValue> }));
    if (page.next === null) return;
    after = page.next;
  }
}

/**
 * Commits to the rows stored for `dataset` with its configured layout, in a process of its own (threads: the
 * machine's cores) to which the rows are streamed: the build's transient memory never lands in the peer's.
 */
export async function commitStoredRows(
  store: Store,
  dataset: Dataset,
  layout: ProvedDatasetConfig,
): Promise<BuiltCommitment> {
  return buildDatasetCommitmentIsolated(dataset.fields, storedRowPages(store, dataset.id), {
    depth: layout.depth,
    indexes: layout.indexes,
  });
}

/**
 * The verifying keys a commitment made here lists: those of the circuits this peer proves with, for the query
 * kinds the dataset allows.
 */
export function verifyingKeysHere(
  registry: ArtifactRegistry,
  dataset: Pick<Dataset, "queryKinds">,
): DatasetCommitment["verifyingKeys"] {
  return registry
    .verifyingKeysFor(registry.list().map((a) => a.circuit))
    .filter((k) => dataset.queryKinds.includes(k.queryKind));
}

function keysAgree(registry: ArtifactRegistry, dataset: Dataset, commitment: DatasetCommitment): boolean {
  return verifyingKeysHere(registry, dataset).every((mine) => {
    const listed = commitment.verifyingKeys.find((k) => k.queryKind === mine.queryKind);
    return listed === undefined || bytesEqual(listed.hash, mine.hash);
  });
}

/** An evidence proof running in the background for one commitment version of a dataset. */
interface EvidenceRun {
  version: number;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Keeps the prover's datasets in step with the ledger: whenever the commitment in force for one of this agency's
 * proved datasets changes, it rebuilds the trees from the rows stored here (one dataset at a time, off the
 * request path), checks the root against the ledger and registers them with the prover; until then, and on any
 * mismatch, proved answers over that dataset fail with NOT_COMMITTED rather than proving against stale rows.
 * The commitment's well-formedness evidence is proved in the background (hours for large datasets, docs/spec/zk.md
 * §11), one run per dataset, stopped when a newer commitment comes into force; answers are served once it is
 * kept (at once with development keys), and its progress is in the status.
 */
export class ProvedDatasets {
  readonly #status = new Map<string, ProvedDatasetStatus>();
  /** Commitments this peer just made, by dataset: used instead of a rebuild when their root comes into force. */
  readonly #offered = new Map<string, BuiltCommitment>();
  /** Evidence of the commitment in force, by dataset, once proved or found in the store. */
  readonly #evidence = new Map<string, unknown>();
  readonly #runs = new Map<string, EvidenceRun>();
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly c: ProvedDatasetsComponents,
    private readonly layouts: Record<string, ProvedDatasetConfig>,
  ) {
    for (const dataset of Object.keys(layouts))
      this.#status.set(dataset, { dataset, state: "uncommitted", version: null });
  }

  /** Checks every configured dataset against the ledger now and on every `intervalMs` after. */
  start(intervalMs: number): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  /** A commitment just built here for `dataset` (the last one offered is kept until a root comes into force). */
  offer(dataset: string, built: BuiltCommitment): void {
    if (dataset in this.layouts) this.#offered.set(dataset, built);
  }

  status(): ProvedDatasetStatus[] {
    return [...this.#status.values()].map((s) => ({
      ...s,
      ...(s.evidence === undefined ? {} : { evidence: { ...s.evidence } }),
    }));
  }

  /** The well-formedness evidence (public JSON) of this agency's commitment in force for `dataset`, or null. */
  async evidence(dataset: string): Promise<unknown> {
    return this.#status.get(dataset)?.state === "proving" ? (this.#evidence.get(dataset) ?? null) : null;
  }

  /** One pass over the configured datasets; resolves when any rebuild it started has finished. */
  refresh(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Waits until no evidence proof is running (each ends proved, failed or stopped). */
  async settled(): Promise<void> {
    while (this.#runs.size > 0) await Promise.all([...this.#runs.values()].map((r) => r.done));
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#running;
    for (const run of this.#runs.values()) run.abort.abort();
    await this.settled();
  }

  async #pass(): Promise<void> {
    for (const [id, layout] of Object.entries(this.layouts)) {
      const dataset = this.c.ledger.get(keys.dataset(id)) as Dataset | undefined;
      const known = this.#status.get(id);
      if (dataset === undefined || dataset.owner !== this.c.self || dataset.commitment === null) {
        if (known?.state !== "uncommitted") this.c.prover.unregister(id);
        this.#forget(id);
        this.#status.set(id, { dataset: id, state: "uncommitted", version: null });
        continue;
      }
      if (known?.version === dataset.commitmentVersion && known.state !== "building") continue;
      this.c.prover.unregister(id);
      this.#forget(id);
      this.#status.set(id, { dataset: id, state: "building", version: dataset.commitmentVersion });
      this.#status.set(id, await this.#rebuild(dataset, dataset.commitment, layout));
    }
  }

  /** Drops what this peer had for an earlier commitment of `id`: its evidence, and stops its evidence proof. */
  #forget(id: string): void {
    this.#evidence.delete(id);
    this.#runs.get(id)?.abort.abort();
  }

  async #rebuild(
    dataset: Dataset,
    commitment: DatasetCommitment,
    layout: ProvedDatasetConfig,
  ): Promise<ProvedDatasetStatus> {
    const base = { dataset: dataset.id, version: dataset.commitmentVersion };
    if (!keysAgree(this.c.registry, dataset, commitment)) {
      this.c.log.warn("commitment lists verifying keys this peer does not prove with", {
        dataset: dataset.id,
      });
      return { ...base, state: "keys-mismatch" };
    }
    const t0 = performance.now();
    const offered = this.#offered.get(dataset.id);
    this.#offered.delete(dataset.id);
    let built: BuiltCommitment;
    try {
      built =
        offered !== undefined && bytesEqual(offered.commitment.root, commitment.root)
          ? offered
          : await commitStoredRows(this.c.store, dataset, layout);
    } catch (e) {
      const code = String((e as { code?: unknown }).code ?? "INTERNAL");
      this.c.log.warn("cannot commit the stored rows", { dataset: dataset.id, code });
      return { ...base, state: "failed", code };
    }
    if (!bytesEqual(built.commitment.root, commitment.root)) {
      this.c.log.warn("stored rows do not build the commitment in force", {
        dataset: dataset.id,
        version: dataset.commitmentVersion,
        built: toHex(built.commitment.root),
        inForce: toHex(commitment.root),
      });
      return { ...base, state: "root-mismatch" };
    }
    const serve = (evidence: EvidenceStatus): ProvedDatasetStatus => {
      this.c.prover.register(dataset.id, built.dataset);
      this.c.log.info("proving over dataset", {
        dataset: dataset.id,
        version: dataset.commitmentVersion,
        rows: built.commitment.rowCount,
        buildMs: Math.round(performance.now() - t0),
        evidence: evidence.state,
      });
      return { ...base, state: "proving", evidence };
    };
    const kept = (await this.c.store.localData.getWellFormedEvidence(dataset.id, commitment.root)) as {
      chunks?: unknown[];
    } | null;
    // Chunk proofs kept while proving: none is needed once the evidence is kept, nor any of another commitment.
    await dropEvidenceChunks(this.c, dataset.id, kept === null ? commitment.root : undefined);
    if (kept !== null) {
      this.#evidence.set(dataset.id, kept);
      return serve({ state: "proved", chunks: kept.chunks?.length ?? 0 });
    }
    const started = this.#startEvidence(dataset, commitment, built, serve);
    if (started !== null) {
      const evidence: EvidenceStatus = { state: "proving", done: 0, ...started };
      return this.c.devKeys ? serve(evidence) : { ...base, state: "proving-evidence", evidence };
    }
    this.c.log.warn(
      layout.evidence
        ? "no chunk-circuit key for this layout: no well-formedness evidence"
        : "evidence: false in the config: no well-formedness evidence",
      { dataset: dataset.id },
    );
    if (!this.c.devKeys) return { ...base, state: "no-evidence", evidence: { state: "none" } };
    this.c.log.warn("serving proved answers without well-formedness evidence (development keys)", {
      dataset: dataset.id,
    });
    return serve({ state: "none" });
  }

  /**
   * Starts proving the evidence of the commitment in force in the background (returning its chunk count once
   * planned); null when no chunk-circuit key fits the layout. Each chunk proof is kept in the store as it completes,
   * and a run resumes from those an earlier one kept for this commitment. On success the evidence is kept in the
   * store and served (and, without development keys, answers start), and its chunk proofs are dropped; a run
   * stopped by a newer commitment changes nothing.
   */
  #startEvidence(
    dataset: Dataset,
    commitment: DatasetCommitment,
    built: BuiltCommitment,
    serve: (evidence: EvidenceStatus) => ProvedDatasetStatus,
  ): { chunks?: number } | null {
    const id = dataset.id;
    const version = dataset.commitmentVersion;
    const run: EvidenceRun = { version, abort: new AbortController(), done: Promise.resolve() };
    const current = (): boolean => this.#runs.get(id) === run && !run.abort.signal.aborted;
    const update = (evidence: EvidenceStatus): void => {
      const s = this.#status.get(id);
      if (current() && s !== undefined && s.version === version) this.#status.set(id, { ...s, evidence });
    };
    let planned: number | undefined;
    this.#runs.set(id, run);
    // Each chunk proved is kept as it completes: a restart resumes from them.
    const keeper = evidenceChunks(this.c, id, commitment.root, current);
    const proving = this.c.proveEvidence(built.dataset, {
      dataset: id,
      signal: run.abort.signal,
      onChunk: (done, chunks) => {
        planned = chunks;
        update({ state: "proving", done, chunks });
      },
      resume: (circuit, verifyingKeyHash) => keeper.resume(circuit, verifyingKeyHash),
    });
    if (proving === null) {
      this.#runs.delete(id);
      return null;
    }
    const t0 = performance.now();
    run.done = proving
      .then(async (evidence) => {
        if (!current()) return;
        await this.c.store.localData.putWellFormedEvidence(id, commitment.root, evidence, this.c.now());
        if (!current()) return;
        this.#evidence.set(id, evidence);
        this.c.log.info("well-formedness evidence proved", {
          dataset: id,
          chunks: evidence.chunks.length,
          proveMs: Math.round(performance.now() - t0),
        });
        const proved: EvidenceStatus = { state: "proved", chunks: evidence.chunks.length };
        if (this.#status.get(id)?.state === "proving-evidence") this.#status.set(id, serve(proved));
        else update(proved);
        await keeper.flushed();
        if (current()) await dropEvidenceChunks(this.c, id);
      })
      .catch((e: unknown) => {
        if (!current()) return;
        const code = String((e as { code?: unknown }).code ?? "INTERNAL");
        this.c.log.warn("well-formedness evidence failed", { dataset: id, code });
        const s = this.#status.get(id);
        if (s?.state === "proving-evidence")
          this.#status.set(id, { ...s, state: "no-evidence", code, evidence: { state: "failed", code } });
        else update({ state: "failed", code });
      })
      .then(() => keeper.flushed())
      .finally(() => {
        if (this.#runs.get(id) === run) this.#runs.delete(id);
      });
    return planned === undefined ? {} : { chunks: planned };
  }
}
