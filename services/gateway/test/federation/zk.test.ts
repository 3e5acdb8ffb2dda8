import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keys, toHex } from "@coken/ledger";
import type { Store } from "@coken/store";
import type { LocalAnswerVerifier, WellFormedCommitment } from "@coken/zk";
import { GatewayError } from "../../src/errors.js";
import { type ProvedWorld, provedWorld } from "../provider/proved-world.js";
import {
  A,
  B,
  baseLedger,
  Clock,
  DATASET,
  GRANT,
  type MapLedger,
  makeClient,
  routedFetch,
  type Side,
} from "../provider/world.js";

describe("proved answers with the real prover and verifier (Groth16, dev keys)", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let provider: Side;
  let asker: Store;
  let verifier: LocalAnswerVerifier;
  let wellFormed: WellFormedCommitment;
  let proved: ProvedWorld;

  before(async () => {
    proved = await provedWorld({
      clock,
      grant: { queryKinds: ["threshold", "membership"], fields: ["value", "owner"] },
    });
    ({ ledger, provider, asker, verifier, wellFormed } = proved);
  });
  after(() => proved?.close());

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
