import assert from "node:assert/strict";
import { type AgencyId, keys } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import {
  type ArtifactRegistry,
  buildDatasetCommitment,
  type CircuitArtifacts,
  createAnswerVerifier,
  createArtifactRegistry,
  createQueryProver,
  type LocalAnswerVerifier,
  type LocalQueryProver,
  ownWellFormed,
  type WellFormedCommitment,
} from "@coken/zk";
import type { PeerEndpointComponents } from "../../src/provider/endpoint.js";
import { FIELDS, INDEXES, ROWS, smallArtifacts } from "./proved-dataset.js";
import { A, baseLedger, Clock, DATASET, GRANT, type MapLedger, makeSide, type Side } from "./world.js";

/** A provider side and an asker store on `ledger`, closed together. */
export async function providerAndAsker(
  ledger: MapLedger,
  clock: Clock,
  opts: Parameters<typeof makeSide>[3] = {},
  agency: AgencyId = A,
): Promise<{ provider: Side; asker: Store; close(): Promise<void> }> {
  const provider = await makeSide(agency, ledger, clock, opts);
  const asker = await openStore({ kind: "pglite" });
  return {
    provider,
    asker,
    async close() {
      await provider.store.close();
      await asker.close();
    },
  };
}

export interface ProvedWorldOptions {
  clock?: Clock;
  /** The committed rows (default: all of ROWS). */
  rows?: typeof ROWS;
  /** What B's grant allows (default: membership of `owner`). */
  grant?: { queryKinds: ("lookup" | "threshold" | "membership" | "count" | "sum")[]; fields: string[] };
  /** Artifacts the asker's verifier knows besides the answer circuits. */
  extraVerifyingKeys?: CircuitArtifacts[];
  /** The provider's well-formedness evidence, served on request. */
  evidence?: PeerEndpointComponents["evidence"];
}

/**
 * A ledger where A's dataset is committed over FIELDS/ROWS with the small dev-key circuits and B holds a grant,
 * A's gateway with the real prover, an asker store and the real answer verifier.
 */
export async function provedWorld(opts: ProvedWorldOptions = {}) {
  const clock = opts.clock ?? new Clock();
  const answerKeys = await smallArtifacts();
  const registry: ArtifactRegistry = createArtifactRegistry(answerKeys);
  const built = buildDatasetCommitment(FIELDS, opts.rows ?? ROWS, { depth: 4, indexes: INDEXES });
  const wellFormed: WellFormedCommitment = ownWellFormed(built.dataset);
  const ledger = baseLedger();
  const dataset = ledger.get(keys.dataset(DATASET));
  assert.ok(dataset);
  const verifyingKeys = registry.verifyingKeysFor(registry.list().map((a) => a.circuit));
  ledger.set(keys.dataset(DATASET), {
    ...dataset,
    fields: FIELDS,
    queryKinds: ["lookup", "threshold", "membership"],
    commitment: { ...built.commitment, verifyingKeys },
  });
  ledger.set(keys.grant(GRANT), {
    ...ledger.grant(),
    ...(opts.grant ?? { queryKinds: ["membership"], fields: ["owner"] }),
  });
  const verifyKeys =
    opts.extraVerifyingKeys === undefined
      ? registry
      : createArtifactRegistry([...answerKeys, ...opts.extraVerifyingKeys]);
  const prover: LocalQueryProver = createQueryProver({ pool: { size: 1 } })({ artifacts: registry });
  const verifier: LocalAnswerVerifier = createAnswerVerifier({ now: clock.now })({ keys: verifyKeys });
  try {
    prover.register(DATASET, built.dataset);
    const sides = await providerAndAsker(ledger, clock, {
      prover,
      ...(opts.evidence === undefined ? {} : { evidence: opts.evidence }),
    });
    return {
      clock,
      ledger,
      registry,
      verifyKeys,
      built,
      wellFormed,
      prover,
      verifier,
      ...sides,
      async close() {
        await prover.close();
        await verifier.close();
        await sides.close();
      },
    };
  } catch (e) {
    await prover.close();
    await verifier.close();
    throw e;
  }
}

export type ProvedWorld = Awaited<ReturnType<typeof provedWorld>>;
