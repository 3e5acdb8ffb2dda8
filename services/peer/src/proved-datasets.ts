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
  /** The rows build the commitment in force; its well-formedness evidence is being proved (answers wait). */
  | "proving-evidence"
  /** No chunk-circuit key here for this layout: no evidence, so no proved answers (unless development keys). */
  | "no-evidence"
  /** Not (yet) committed on the ledger, or not this agency's. */
  | "uncommitted"
  /** The rows here build another root than the one in force (rows changed since, or another layout). */
  | "root-mismatch"
  /** The commitment in force lists verifying keys this peer does not prove with. */
  | "keys-mismatch"
  /** The rows could not be committed (bad values, too many rows); the error code says why. */
  | "failed";

export interface ProvedDatasetStatus {
  dataset: string;
  state: ProvedDatasetState;
  /** Commitment version the state refers to. */
  version: number | null;
  code?: string;
}

export interface ProvedDatasetsComponents {
  self: AgencyId;
  ledger: { get(key: string): unknown };
  store: Store;
  registry: ArtifactRegistry;
  prover: LocalQueryProver;
  /** Proves a commitment's well-formedness evidence; null when no chunk-circuit key fits its layout. */
  proveEvidence(dataset: CommittedDataset): Promise<WellFormedEvidence> | null;
  /** Development keys: serve proved answers even without evidence (answers are forgeable anyway). */
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

/**
 * Keeps the prover's datasets in step with the ledger: whenever the commitment in force for one of this agency's
 * proved datasets changes, it rebuilds the trees from the rows stored here (one dataset at a time, off the
 * request path), checks the root against the ledger and registers them with the prover; until then, and on any
 * mismatch, proved answers over that dataset fail with NOT_COMMITTED rather than proving against stale rows.
 */
export class ProvedDatasets {
  readonly #status = new Map<string, ProvedDatasetStatus>();
  /** Commitments this peer just made, by dataset: used instead of a rebuild when their root comes into force. */
  readonly #offered = new Map<string, BuiltCommitment>();
  /** Evidence of the commitment in force, by dataset, once its answers are served. */
  readonly #evidence = new Map<string, unknown>();
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
    return [...this.#status.values()];
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

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    for (const [id, layout] of Object.entries(this.layouts)) {
      const dataset = this.c.ledger.get(keys.dataset(id)) as Dataset | undefined;
      const known = this.#status.get(id);
      if (dataset === undefined || dataset.owner !== this.c.self || dataset.commitment === null) {
        if (known?.state !== "uncommitted") this.c.prover.unregister(id);
        this.#evidence.delete(id);
        this.#status.set(id, { dataset: id, state: "uncommitted", version: null });
        continue;
      }
      if (
        known?.version === dataset.commitmentVersion &&
        known.state !== "building" &&
        known.state !== "proving-evidence"
      )
        continue;
      this.c.prover.unregister(id);
      this.#evidence.delete(id);
      this.#status.set(id, { dataset: id, state: "building", version: dataset.commitmentVersion });
      this.#status.set(id, await this.#rebuild(dataset, dataset.commitment, layout));
    }
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
    const evidence = await this.#wellFormedEvidence(dataset, commitment, built.dataset);
    if (evidence === null && !this.c.devKeys) return { ...base, state: "no-evidence" };
    if (evidence === null)
      this.c.log.warn("serving proved answers without well-formedness evidence (development keys)", {
        dataset: dataset.id,
      });
    else this.#evidence.set(dataset.id, evidence);
    this.c.prover.register(dataset.id, built.dataset);
    this.c.log.info("proving over dataset", {
      dataset: dataset.id,
      version: dataset.commitmentVersion,
      rows: built.commitment.rowCount,
      buildMs: Math.round(performance.now() - t0),
    });
    return { ...base, state: "proving" };
  }

  /**
   * The evidence of the commitment in force: the copy kept in the store, or proved now from the rebuilt trees
   * (then kept); null when no chunk-circuit key fits the layout or the proof failed.
   */
  async #wellFormedEvidence(
    dataset: Dataset,
    commitment: DatasetCommitment,
    committed: CommittedDataset,
  ): Promise<unknown> {
    const kept = await this.c.store.localData.getWellFormedEvidence(dataset.id, commitment.root);
    if (kept !== null) return kept;
    const proving = this.c.proveEvidence(committed);
    if (proving === null) {
      this.c.log.warn("no chunk-circuit key for this layout: no well-formedness evidence", {
        dataset: dataset.id,
      });
      return null;
    }
    this.#status.set(dataset.id, {
      dataset: dataset.id,
      state: "proving-evidence",
      version: dataset.commitmentVersion,
    });
    const t0 = performance.now();
    try {
      const evidence = await proving;
      await this.c.store.localData.putWellFormedEvidence(dataset.id, commitment.root, evidence, this.c.now());
      this.c.log.info("well-formedness evidence proved", {
        dataset: dataset.id,
        chunks: evidence.chunks.length,
        proveMs: Math.round(performance.now() - t0),
      });
      return evidence;
    } catch (e) {
      this.c.log.warn("well-formedness evidence failed", {
        dataset: dataset.id,
        code: String((e as { code?: unknown }).code ?? "INTERNAL"),
      });
      return null;
    }
  }
}
