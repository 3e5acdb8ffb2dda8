import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ApiTarget, createApiServer } from "../src/api.js";
import type { ChainReads } from "../src/api-reads.js";

describe("operator API: a dataset's well-formedness evidence", () => {
  const served = { circuit: "wellformed-f5-i2-r256", chunks: [] };
  const target = {
    reads: { onError: () => {} } as unknown as ChainReads,
    provedDatasets: () => [],
    evidence: async (id: string) => (id === "sh.land/parcels" ? served : null),
  } as unknown as ApiTarget;
  const server = createApiServer(target);
  let base = "";

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("serves it without a token, 404 until it exists", async () => {
    const found = await fetch(`${base}/v1/datasets/${encodeURIComponent("sh.land/parcels")}/evidence`);
    assert.equal(found.status, 200);
    assert.deepEqual(await found.json(), served);
    const missing = await fetch(`${base}/v1/datasets/other/evidence`);
    assert.equal(missing.status, 404);
    const bad = await fetch(`${base}/v1/datasets/%E0%A4%A/evidence`);
    assert.equal(bad.status, 400);
  });
});
