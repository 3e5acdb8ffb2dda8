import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keys, toHex } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import {
  buildDatasetCommitment,
  createAnswerVerifier,
  createArtifactRegistry,
  createQueryProver,
  type LocalAnswerVerifier,
  type LocalQueryProver,
  ownWellFormed,
  type WellFormedCommitment,
} from "@coken/zk";
import { GatewayError } from "../../src/errors.js";
import { FIELDS, INDEXES, ROWS, smallArtifacts } from "../provider/proved-dataset.js";
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

describe("proved answers with the real prover and verifier (Groth16, dev keys)", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let provider: Side;
  let asker: Store;
  let prover: LocalQueryProver;
  let verifier: LocalAnswerVerifier;
  let wellFormed: WellFormedCommitment;

  before(async () => {
    const registry = createArtifactRegistry(await smallArtifacts());
    const built = buildDatasetCommitment(FIELDS, ROWS, { depth: 4, indexes: INDEXES });
    wellFormed = ownWellFormed(built.dataset);
    const circuits = registry.list().map((a) => a.circuit);
    ledger = baseLedger();
    const dataset = ledger.get(keys.dataset(DATASET));
    assert.ok(dataset);
    ledger.set(keys.dataset(DATASET), {
      ...dataset,
      fields: FIELDS,
      queryKinds: ["lookup", "threshold", "membership"],
      commitment: { ...built.commitment, verifyingKeys: registry.verifyingKeysFor(circuits) },
    });
    ledger.set(keys.grant(GRANT), {
      ...ledger.grant(),
      queryKinds: ["threshold", "membership"],
      fields: ["value", "owner"],
    });
    prover = createQueryProver({ pool: { size: 1 } })({ artifacts: registry });
    prover.register(DATASET, built.dataset);
    verifier = createAnswerVerifier({ now: clock.now })({ keys: registry });
    provider = await makeSide(A, ledger, clock, { prover });
    asker = await openStore({ kind: "pglite" });
  });
  after(async () => {
    await prover?.close();
    await verifier?.close();
    await provider?.store.close();
    await asker?.close();
  });

  const client = () =>
    makeClient(B, ledger, clock, asker, routedFetch([provider]), {
      answerVerifier: verifier,
      wellFormed: () => wellFormed,
    });

  it("a threshold and a membership answer are proved by A and verified by B against the ledger commitment", async () => {
    const threshold = await client().call({
      provider: A,
      dataset: DATASET,
      grant: GRANT,
      query: { kind: "threshold", key: "parcel-3", field: "value", op: "gte", value: 350_000 },
    });
    assert.deepEqual(threshold.result, { kind: "threshold", holds: true });
    assert.equal(threshold.verification.proof?.verified, true);
    assert.equal(threshold.verification.proof?.system, "groth16");
    const dataset = ledger.get(keys.dataset(DATASET));
    assert.equal(
      threshold.verification.proof?.commitment,
      toHex(dataset?.commitment?.root ?? new Uint8Array()),
    );

    const absent = await client().call({
      provider: A,
      dataset: DATASET,
      grant: GRANT,
      query: { kind: "membership", key: "parcel-99" },
    });
    assert.deepEqual(absent.result, { kind: "membership", member: false });
  });

  it("a proof made for another commitment fails at the asker with PROOF_INVALID", async () => {
    const dataset = ledger.get(keys.dataset(DATASET));
    assert.ok(dataset?.commitment);
    const asSeenByB = new Map(ledger.records);
    const other = baseLedger();
    for (const [k, v] of asSeenByB) other.records.set(k, v);
    other.set(keys.dataset(DATASET), {
      ...dataset,
      commitment: { ...dataset.commitment, root: new Uint8Array(32).fill(5) },
    });
    // the asker holds a verified record for the root it sees, so only the proof's root can fail
    const stale = makeClient(B, other, clock, asker, routedFetch([provider]), {
      answerVerifier: verifier,
      wellFormed: (_call, commitment) => ({ ...wellFormed, root: commitment.root }),
    });
    await assert.rejects(
      stale.call({
        provider: A,
        dataset: DATASET,
        grant: GRANT,
        query: { kind: "membership", key: "parcel-1" },
      }),
      (e: unknown) => e instanceof GatewayError && e.code === "PROOF_INVALID",
    );
  });
});
