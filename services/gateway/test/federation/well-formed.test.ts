import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keys } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import {
  buildDatasetCommitment,
  createAnswerVerifier,
  createArtifactRegistry,
  createQueryProver,
  type LocalAnswerVerifier,
  type LocalQueryProver,
  ProverPool,
  parseWellFormedEvidence,
  proveWellFormed,
  verifyWellFormed,
  type WellFormedEvidence,
} from "@coken/zk";
import { GatewayError } from "../../src/errors.js";
import { EVIDENCE_RETRY_MS, WellFormedRecords } from "../../src/federation/well-formed.js";
import { FIELDS, INDEXES, ROWS, smallArtifacts, wellFormedArtifacts } from "../provider/proved-dataset.js";
import {
  A,
  B,
  baseLedger,
  Clock,
  DATASET,
  GRANT,
  type MapLedger,
  makeClient,
  makeSide,
  routedFetch,
  type Side,
} from "../provider/world.js";

const code = (c: string) => (e: unknown) => e instanceof GatewayError && e.code === c;

describe("well-formedness evidence: served by the owner, fetched and verified once by the asker", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let prover: LocalQueryProver;
  let verifier: LocalAnswerVerifier;
  let evidence: WellFormedEvidence;
  let verifyKeys: ReturnType<typeof createArtifactRegistry>;

  before(async () => {
    const answerKeys = await smallArtifacts();
    const chunkKeys = await wellFormedArtifacts();
    const registry = createArtifactRegistry(answerKeys);
    verifyKeys = createArtifactRegistry([...answerKeys, chunkKeys]);
    // five parcels: six chunk proofs of one position each
    const built = buildDatasetCommitment(FIELDS, ROWS.slice(0, 5), { depth: 4, indexes: INDEXES });
    ledger = baseLedger();
    const dataset = ledger.get(keys.dataset(DATASET));
    assert.ok(dataset);
    const circuits = registry.list().map((a) => a.circuit);
    ledger.set(keys.dataset(DATASET), {
      ...dataset,
      fields: FIELDS,
      queryKinds: ["lookup", "threshold", "membership"],
      commitment: { ...built.commitment, verifyingKeys: registry.verifyingKeysFor(circuits) },
    });
    ledger.set(keys.grant(GRANT), { ...ledger.grant(), queryKinds: ["membership"], fields: ["owner"] });
    const pool = new ProverPool({ size: 1, curveThreads: "none" });
    try {
      evidence = await proveWellFormed(
        built.dataset,
        { artifacts: createArtifactRegistry([chunkKeys]), pool },
        { chunkRows: 1 },
      );
    } finally {
      await pool.close();
    }
    prover = createQueryProver({ pool: { size: 1 } })({ artifacts: registry });
    prover.register(DATASET, built.dataset);
    verifier = createAnswerVerifier({ now: clock.now })({ keys: verifyKeys });
  });
  after(async () => {
    await prover?.close();
    await verifier?.close();
    await provider?.store.close();
    await asker?.close();
  });

  let provider: Side;
  let asker: Store;
  /** What the provider serves as its evidence in the current test. */
  let served: () => unknown = () => null;

  /** A fresh asker (its own verified records) that requires verified evidence, and the documents it sent. */
  async function world(serve: () => unknown) {
    served = serve;
    provider ??= await makeSide(A, ledger, clock, { prover, evidence: async () => served() });
    asker ??= await openStore({ kind: "pglite" });
    const log = { bodies: [] as unknown[], headers: [] as Headers[] };
    const fetchFn = routedFetch([provider], log);
    let records: WellFormedRecords | undefined;
    const client = makeClient(B, ledger, clock, asker, fetchFn, {
      answerVerifier: verifier,
      requireWellFormed: true,
      wellFormed: (call, commitment, fields) =>
        records?.record(call.provider, call.dataset, commitment, fields),
    });
    records = new WellFormedRecords({
      fetch: (p, d) => client.fetchEvidence(p, d),
      verify: (json, commitment, fields) =>
        verifyWellFormed(parseWellFormedEvidence(json), commitment, fields, verifyKeys),
      now: clock.now,
    });
    const documents = () =>
      log.bodies.map((b) =>
        String((b as { query?: unknown }).query ?? "")
          .split("(")[0]
          ?.trim(),
      );
    return { client, documents };
  }

  const membership = {
    provider: A,
    dataset: DATASET,
    grant: GRANT,
    query: { kind: "membership", key: "parcel-1" },
  } as const;

  it("a commitment without evidence is refused NOT_WELL_FORMED before any answer is asked", async () => {
    const { client, documents } = await world(() => null);
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
    assert.deepEqual(documents(), ["query CokenEvidence"]);
    // not asked again inside the retry window
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
    assert.equal(documents().length, 1);
  });

  it("evidence that does not prove the commitment (chunks reordered) is refused NOT_WELL_FORMED", async () => {
    const [c0, c1, ...rest] = evidence.chunks;
    assert.ok(c0 && c1);
    const { client } = await world(() =>
      JSON.parse(JSON.stringify({ ...evidence, chunks: [c1, c0, ...rest] })),
    );
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
  });

  it("with the owner's evidence the proved answer verifies, and the evidence is fetched once", async () => {
    let served = 0;
    const { client, documents } = await world(() => {
      served += 1;
      return JSON.parse(JSON.stringify(evidence));
    });
    const first = await client.call(membership);
    assert.deepEqual(first.result, { kind: "membership", member: true });
    assert.equal(first.verification.proof?.verified, true);
    const second = await client.call({ ...membership, query: { kind: "membership", key: "parcel-9" } });
    assert.deepEqual(second.result, { kind: "membership", member: false });
    assert.equal(served, 1);
    assert.deepEqual(documents().filter((d) => d === "query CokenEvidence").length, 1);
    assert.ok(EVIDENCE_RETRY_MS > 0);
  });
});
