import assert from "node:assert/strict";
import { test } from "node:test";
import type { CurrentStore } from "./context.js";

export function gatewayTests(store: CurrentStore): void {
  test("an issued receipt keeps its proof bundle text, written with it; a lookup's keeps none", async () => {
    const gateway = store().gateway;
    assert.ok(gateway);
    const proved = new Uint8Array(32).fill(1);
    const lookup = new Uint8Array(32).fill(2);
    const bundle = '{"circuit":"membership-d4","proof":{"pi_a":["1","2"]},"publicSignals":["7"]}';
    const row = { requester: "bj.housing", grantId: "g1", timeMs: 1_000, receipt: new Uint8Array([0xa0]) };
    await gateway.addIssuedReceipts(
      [
        { receipt: { ...row, id: proved, proof: bundle } },
        {
          receipt: { ...row, id: lookup },
          nonce: { requester: "bj.housing", nonce: lookup, expiresMs: 9_000 },
        },
      ],
      { flush: false },
    );
    assert.equal(await gateway.issuedProof(proved), bundle);
    assert.equal(await gateway.issuedProof(lookup), null);
    assert.equal(await gateway.issuedProof(new Uint8Array(32).fill(3)), null);
    assert.equal((await gateway.issuedReceipt(proved))?.status, "pending");
  });
}
