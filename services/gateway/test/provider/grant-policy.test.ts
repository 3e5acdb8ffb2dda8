import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore, type Store } from "@coken/store";
import type { QueryProver, ZkAnswer } from "@coken/zk";
import { isGatewayError } from "../../src/errors.js";
import { parseMinGroupSize, policyProver, ThresholdCaps } from "../../src/provider/grant-policy.js";

const binding = { requester: "b", nonce: new Uint8Array(16), expiresAt: 1 };

describe("provider grant policy", () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: "pglite" });
  });
  after(() => store.close());

  it("caps threshold queries per grant and record key, across restarts, and passes the asker's minimum group size", async () => {
    const counts = store.gateway ?? assert.fail("no gateway repository");
    const policy = (g: string) => (g === "capped" ? { thresholdQueriesPerKey: 2 } : undefined);
    const seen: (number | undefined)[] = [];
    const inner: QueryProver = {
      async prove(_d, _q, _b, options) {
        seen.push(options?.minGroupSize);
        return {} as ZkAnswer;
      },
      close: async () => {},
    };
    const caps = new ThresholdCaps(policy, counts);
    const threshold = { kind: "threshold", key: "k1", field: "v", op: "gte", value: 1 } as const;
    const capped = policyProver(inner, { grant: "capped", minGroupSize: 5 }, caps);
    await capped.prove("ds", threshold, binding);
    // a restarted gateway (new caps over the same store) has the count so far
    const restarted = policyProver(
      inner,
      { grant: "capped", minGroupSize: 5 },
      new ThresholdCaps(policy, counts),
    );
    await restarted.prove("ds", threshold, binding);
    await assert.rejects(
      restarted.prove("ds", threshold, binding),
      (e) => isGatewayError(e) && e.code === "FORBIDDEN",
    );
    await assert.rejects(
      capped.prove("ds", threshold, binding),
      (e) => isGatewayError(e) && e.code === "FORBIDDEN",
    );
    // another key, another grant, other kinds: not counted against it
    await capped.prove("ds", { ...threshold, key: "k2" }, binding);
    await capped.prove("ds", { kind: "count", field: "v", from: 0, to: 9 }, binding);
    const open = policyProver(inner, { grant: "open", minGroupSize: undefined }, caps);
    for (let i = 0; i < 5; i++) await open.prove("ds", threshold, binding);
    assert.deepEqual(seen.slice(0, 4), [5, 5, 5, 5]);
    assert.equal(seen.at(-1), undefined);
  });

  it("accepts only an integer minimum group size in 0..2^20", () => {
    assert.equal(parseMinGroupSize(undefined), undefined);
    assert.equal(parseMinGroupSize(null), undefined);
    assert.equal(parseMinGroupSize(10), 10);
    for (const bad of [-1, 1.5, 2 ** 20 + 1, "5"])
      assert.throws(() => parseMinGroupSize(bad), isGatewayError);
  });
});
