import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ApiTarget, createApiServer, type EvidenceRecords } from "../src/api.js";
import type { ChainReads } from "../src/api-reads.js";
import type { ProvedDatasetStatus } from "../src/proved-datasets.js";

const PROVED: ProvedDatasetStatus[] = [
  {
    dataset: "sh.land/parcels",
    state: "proving",
    version: 2,
    evidence: { state: "proved", chunks: 16 },
  },
];
const RECORDS: EvidenceRecords = {
  verified: [
    {
      provider: "bj.tax",
      dataset: "bj.tax/income",
      root: "ab".repeat(32),
      rowCount: 15,
      chunks: 16,
      circuit: "wellformed-f5-i2-r1",
      verifiedAt: 1_700_000_000_000,
    },
  ],
  refused: [
    {
      provider: "gz.courts",
      dataset: "gz.courts/cases",
      code: "NO_EVIDENCE",
      at: 1_700_000_001_000,
      refusals: 0,
      retryAt: 1_700_000_031_000,
    },
  ],
  verifying: [
    {
      provider: "gd.land",
      dataset: "gd.land/parcels",
      root: "cd".repeat(32),
      done: 120,
      chunks: 4096,
      since: 1_700_000_002_000,
    },
  ],
};

/** An API server on a free port over `target`; `base` is set once it listens. */
function serve(target: ApiTarget) {
  const server = createApiServer(target);
  const at = { base: "" };
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    at.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return at;
}

describe("operator API: GET /v1/datasets", () => {
  const reads = { onError: () => {} } as unknown as ChainReads;
  const full = serve({
    reads,
    provedDatasets: () => PROVED,
    evidenceRecords: () => RECORDS,
  } as unknown as ApiTarget);
  const bare = serve({ reads, provedDatasets: () => [] } as unknown as ApiTarget);

  it("shows the own proved datasets with their evidence, and the others' evidence verified and refused", async () => {
    const res = await fetch(`${full.base}/v1/datasets`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { proved: PROVED, ...RECORDS });
  });

  it("answers empty lists on a peer without a gateway or zk section", async () => {
    const res = await fetch(`${bare.base}/v1/datasets`);
    assert.deepEqual(await res.json(), { proved: [], verified: [], refused: [], verifying: [] });
  });
});

describe("operator API: a dataset's well-formedness evidence", () => {
  const served = { circuit: "wellformed-f5-i2-r256", chunks: [] };
  const at = serve({
    reads: { onError: () => {} } as unknown as ChainReads,
    provedDatasets: () => [],
    evidence: async (id: string) => (id === "sh.land/parcels" ? served : null),
  } as unknown as ApiTarget);

  it("serves it without a token, 404 until it exists", async () => {
    const found = await fetch(`${at.base}/v1/datasets/${encodeURIComponent("sh.land/parcels")}/evidence`);
    assert.equal(found.status, 200);
    assert.deepEqual(await found.json(), served);
    const missing = await fetch(`${at.base}/v1/datasets/other/evidence`);
    assert.equal(missing.status, 404);
    const bad = await fetch(`${at.base}/v1/datasets/%E0%A4%A/evidence`);
    assert.equal(bad.status, 400);
  });
});
