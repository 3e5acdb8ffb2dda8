import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { checkProof, KeyRing, pendingCommitment } from "@coken/auditor";
import { fromHex, keys, toHex } from "@coken/ledger";
import type { Store } from "@coken/store";
import type { ArtifactRegistry, LocalAnswerVerifier, WellFormedCommitment } from "@coken/zk";
import { decodeIssued } from "../../src/receipts/codec.js";
import { type ProvedWorld, provedWorld } from "../provider/proved-world.js";
import {
  A,
  B,
  Clock,
  DATASET,
  GRANT,
  h,
  type MapLedger,
  makeClient,
  routedFetch,
  type Side,
} from "../provider/world.js";

describe("a provider keeps the proof bundle of every proved answer for auditors", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let registry: ArtifactRegistry;
  let provider: Side;
  let asker: Store;
  let verifier: LocalAnswerVerifier;
  let wellFormed: WellFormedCommitment;
  let proved: ProvedWorld;

  before(async () => {
    proved = await provedWorld({ clock });
    ({ ledger, registry, provider, asker, verifier, wellFormed } = proved);
  });
  after(() => proved?.close());

  it("the bundle is kept with the receipt, hashes to its proofHash and verifies in the auditor", async () => {
    const answer = await makeClient(B, ledger, clock, asker, routedFetch([provider]), {
      answerVerifier: verifier,
      wellFormed: () => wellFormed,
    }).call({ provider: A, dataset: DATASET, grant: GRANT, query: { kind: "membership", key: "parcel-2" } });
    const id = answer.verification.receipt.id;
    const repo = provider.store.gateway;
    assert.ok(repo);
    const bundle = await repo.issuedProof(fromHex(id) as Uint8Array);
    assert.ok(bundle !== null, "no proof kept");
    const [issued] = await repo.pendingReceipts(B, 10);
    assert.ok(issued);
    assert.equal(toHex(issued.id), id);
    const { receipt } = decodeIssued(issued.receipt);

    const ring = new KeyRing();
    for (const k of ledger.get(keys.dataset(DATASET))?.commitment?.verifyingKeys ?? []) {
      const vk = await registry.verificationKey(toHex(k.hash));
      assert.ok(vk);
      assert.equal(ring.add(JSON.stringify(vk)), toHex(k.hash));
    }
    const pending = {
      height: 1,
      tx: 0,
      receipt: id,
      dataset: DATASET,
      queryKind: receipt.queryKind,
      proofHash: toHex(receipt.proofHash),
      commitment: pendingCommitment(ledger.get(keys.dataset(DATASET))?.commitment),
    };
    assert.equal(await checkProof(h, ring, pending, bundle), null);
    // Another text (even the same JSON re-spaced) is not what the receipt covers.
    const respaced = JSON.stringify(JSON.parse(bundle), null, 1);
    assert.match((await checkProof(h, ring, pending, respaced)) ?? "", /does not hash/);
  });

  it("a receipt without a proof keeps none", async () => {
    assert.equal(await provider.store.gateway?.issuedProof(new Uint8Array(32).fill(7)), null);
  });
});
