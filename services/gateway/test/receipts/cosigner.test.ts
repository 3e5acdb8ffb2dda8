import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type AccessReceipt,
  batchHash,
  createHasher,
  createVerifier,
  ed25519Signer,
  receiptBatchRoot,
  receiptId,
} from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { GatewayError } from "../../src/errors.js";
import { encodeReceipt } from "../../src/receipts/codec.js";
import { cosignBatch } from "../../src/receipts/cosigner.js";

const h = createHasher("sha256");
const NOW = 1_800_000_000_000;
const IN_FLIGHT = 150_000;
const requester = ed25519Signer(new Uint8Array(32).fill(3));

const receipt = (n: number, time: number): AccessReceipt => ({
  grant: "g-1",
  dataset: "sh.land/holdings",
  provider: "sh.land-registry",
  requester: "bj.housing",
  queryKind: "threshold",
  requestHash: new Uint8Array(32).fill(n),
  resultHash: new Uint8Array(32).fill(n + 1),
  proofHash: new Uint8Array(32).fill(n + 2),
  nonce: new Uint8Array(16).fill(n),
  time,
});

describe("co-signing receipts on the requester's side", () => {
  let store: Store;
  const logged = receipt(1, NOW - 1000);
  const cosign = (receipts: AccessReceipt[]) =>
    cosignBatch(
      {
        self: "bj.housing",
        signer: requester,
        hasher: h,
        calls: store.gateway as NonNullable<Store["gateway"]>,
        now: () => NOW,
        inFlightMs: IN_FLIGHT,
      },
      "sh.land-registry",
      receipts,
    );

  before(async () => {
    store = await openStore({ kind: "pglite" });
    await store.gateway?.recordCalls([
      {
        receiptId: receiptId(h, logged),
        provider: "sh.land-registry",
        timeMs: logged.time,
        receipt: encodeReceipt(logged),
      },
    ]);
  });
  after(() => store.close());

  it("signs a batch of receipts of calls it logged", async () => {
    const outcome = await cosign([logged]);
    assert.ok("signature" in outcome);
    const signed = batchHash(h, "sh.land-registry", "bj.housing", receiptBatchRoot(h, [logged]), 1);
    assert.ok(createVerifier().verify("ed25519", requester.publicKey, signed, outcome.signature));
  });

  it("names an old receipt it never logged and signs nothing", async () => {
    const forged = receipt(7, NOW - IN_FLIGHT - 1);
    const outcome = await cosign([logged, forged]);
    assert.deepEqual(outcome, { rejected: [receiptId(h, forged)] });
  });

  it("defers, without refusing, a batch holding a receipt of a call that may still be in flight", async () => {
    const young = receipt(9, NOW - 2000);
    await assert.rejects(
      cosign([logged, young]),
      (e: unknown) => e instanceof GatewayError && e.code === "UPSTREAM_UNAVAILABLE",
    );
  });
});
