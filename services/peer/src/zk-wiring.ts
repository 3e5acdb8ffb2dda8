import type { AgencyId, DatasetCommitment, FieldSpec } from "@coken/ledger";
import type { Store } from "@coken/store";
import {
  type ArtifactRegistry,
  chooseArtifacts,
  createAnswerVerifier,
  createArtifactRegistry,
  createQueryProver,
  DEV_SETUP_BANNER,
  installedArtifacts,
  type LocalAnswerVerifier,
  type LocalQueryProver,
  parseWellFormedEvidence,
  verifyWellFormed,
  type WellFormedCommitment,
} from "@coken/zk";
import { evidenceProver } from "./evidence-prover.js";
import type { Logger } from "./log.js";
import { ProvedDatasets } from "./proved-datasets.js";
import type { ZkConfig } from "./zk-config.js";

/** How often the proved datasets are checked against the commitments in force. */
const REFRESH_MS = 1000;

export interface ZkWiringComponents {
  agency: AgencyId;
  ledger: { get(key: string): unknown };
  store: Store;
  log: Logger;
}

/** A peer's zero-knowledge side: the prover over its own datasets (when it proves any) and the asker's verifier. */
export interface PeerZk {
  /** Keys this peer proves with (and lists in the commitments it makes). */
  readonly registry: ArtifactRegistry;
  readonly prover: LocalQueryProver | undefined;
  readonly verifier: LocalAnswerVerifier;
  readonly datasets: ProvedDatasets | undefined;
  /** Checks another agency's well-formedness evidence (JSON) against its commitment on the ledger. */
  verifyEvidence(
    evidence: unknown,
    commitment: DatasetCommitment,
    fields: readonly FieldSpec[],
    onChunk?: (done: number, total: number) => void,
  ): Promise<WellFormedCommitment>;
  /** Whether proved answers need verified evidence (`zk.requireEvidence`): false only with development keys. */
  readonly requireEvidence: boolean;
  close(): Promise<void>;
}

/**
 * Loads the keys from the artifact cache, starts the verifier, and — when the config names datasets to prove
 * over — a prover pool whose datasets follow the commitments in force on the ledger. Development keys are
 * used only when the config allows them, and then loudly. Throws ZkError (ARTIFACT_MISSING, DEV_SETUP).
 */
export async function startZk(config: ZkConfig, c: ZkWiringComponents): Promise<PeerZk> {
  const installed = (await installedArtifacts(config.cacheDir, config.circuits)).filter(
    (a) => config.devKeys || !a.devSetup,
  );
  const chosen = chooseArtifacts(installed, config.circuits, { production: !config.devKeys });
  if (chosen.some((a) => a.devSetup)) c.log.warn(DEV_SETUP_BANNER);
  const registry = createArtifactRegistry(chosen);
  // Answers from others are checked with any key installed here for these circuits; the ledger says which is in force.
  // With requireEvidence (always without development keys), answers over a commitment whose well-formedness evidence
  // this peer has not verified are refused (NOT_WELL_FORMED); without it (development keys, forgeable anyway) they
  // are accepted unbound.
  const keys = createArtifactRegistry(installed);
  const verifier = createAnswerVerifier({ acceptWithoutEvidence: !config.requireEvidence })({ keys });
  if (!config.requireEvidence)
    c.log.warn(
      "development keys: answers over commitments without verified well-formedness evidence are accepted, unbound to rowCount and schema",
    );
  const proved = Object.keys(config.datasets).length > 0;
  // Memory: the prover threads start with the first proof and stop when idle (proverIdleMs), and their curve works
  // in the prover thread unless the operator asks for curve threads; the verifier's curve never has threads.
  const pool = {
    size: config.proverThreads,
    timeoutMs: config.proveTimeoutMs,
    curveThreads: config.curveThreads,
    idleMs: config.proverIdleMs === 0 ? undefined : config.proverIdleMs,
  };
  const prover = proved ? createQueryProver({ pool })({ artifacts: registry }) : undefined;
  const evidence = prover === undefined ? undefined : evidenceProver(registry, pool, config.datasets);
  const datasets =
    prover === undefined || evidence === undefined
      ? undefined
      : new ProvedDatasets(
          {
            self: c.agency,
            ledger: c.ledger,
            store: c.store,
            registry,
            prover,
            proveEvidence: (committed, job) => evidence.prove(committed, job),
            devKeys: !config.requireEvidence,
            now: Date.now,
            log: c.log,
          },
          config.datasets,
        );
  datasets?.start(REFRESH_MS);
  c.log.info("zero-knowledge keys loaded", {
    circuits: chosen.map((a) => a.circuit),
    devSetup: chosen.some((a) => a.devSetup),
    provedDatasets: Object.keys(config.datasets),
  });
  return {
    registry,
    prover,
    verifier,
    datasets,
    verifyEvidence: (json, commitment, fields, onChunk) =>
      verifyWellFormed(
        parseWellFormedEvidence(json),
        commitment,
        fields,
        keys,
        undefined,
        onChunk === undefined ? {} : { onChunk },
      ),
    requireEvidence: config.requireEvidence,
    async close() {
      await datasets?.stop();
      await evidence?.close();
      await prover?.close();
      await verifier.close();
    },
  };
}
