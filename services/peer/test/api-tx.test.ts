import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ApiTarget, createApiServer } from "../src/api.js";
import type { ChainReads } from "../src/api-reads.js";
import type { DatasetOps } from "../src/dataset-ops.js";
import type { AddResult } from "../src/mempool.js";

describe("operator API: tx submission", () => {
  let server: Server;
  let url = "";
  let next: AddResult = { ok: true, id: "ab" };

  before(async () => {
    const target: ApiTarget = {
      submitTx: () => next,
      status: () => ({}),
      block: async () => null,
      datasets: {} as DatasetOps,
      provedDatasets: () => [],
      token: null,
      onError: () => {},
      // Only GET requests reach the reads.
      reads: {} as ChainReads,
    };
    server = createApiServer(target);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  const post = async () => {
    const res = await fetch(`${url}/v1/txs`, { method: "POST", body: new Uint8Array([1, 2, 3]) });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
  };

  it("answers a capacity refusal as retryable: 503 FULL, 429 SENDER_LIMIT, with Retry-After", async () => {
    next = { ok: false, reason: "FULL" };
    assert.deepEqual(await post(), {
      status: 503,
      retryAfter: "1",
      body: { error: { code: "FULL", retryable: true } },
    });
    next = { ok: false, reason: "SENDER_LIMIT" };
    assert.deepEqual(await post(), {
      status: 429,
      retryAfter: "1",
      body: { error: { code: "SENDER_LIMIT", retryable: true } },
    });
  });

  it("answers the tx's own faults 400, not retryable, and an admitted tx 202", async () => {
    for (const reason of ["BAD_SEQUENCE", "OVER_BLOCK_LIMIT", "DUPLICATE"] as const) {
      next = { ok: false, reason };
      assert.deepEqual(await post(), {
        status: 400,
        retryAfter: null,
        body: { error: { code: reason, retryable: false } },
      });
    }
    next = { ok: true, id: "ab" };
    assert.deepEqual(await post(), { status: 202, retryAfter: null, body: { id: "ab" } });
  });
});
