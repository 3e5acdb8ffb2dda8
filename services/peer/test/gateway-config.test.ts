import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayConfigError, parseGatewayConfig } from "../src/gateway-config.js";

const BASE = "/etc/coken";
const minimal = { publicUrl: "https://sh.example:8443" };

function refusedAt(value: unknown, path: string): void {
  assert.throws(
    () => parseGatewayConfig(value, BASE),
    (e: unknown) => e instanceof GatewayConfigError && e.path === path,
  );
}

describe("gateway config", () => {
  it("fills defaults and resolves relative files against the config's folder", () => {
    const c = parseGatewayConfig(
      {
        ...minimal,
        peers: { "bj.housing": "http://127.0.0.1:9000" },
        tls: { key: "tls/key.pem", cert: "/abs/cert.pem" },
      },
      BASE,
    );
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 0);
    assert.equal(c.mode, "dev");
    assert.equal(c.trustedDocuments, null);
    assert.equal(c.receiptCommit, "flush");
    assert.equal(c.upstreamTimeoutMs, 30_000);
    assert.equal(parseGatewayConfig({ ...minimal, receiptCommit: "async" }, BASE).receiptCommit, "async");
    assert.deepEqual(c.peers, { "bj.housing": "http://127.0.0.1:9000" });
    assert.deepEqual(c.tls, { key: "/etc/coken/tls/key.pem", cert: "/abs/cert.pem" });
    assert.equal(c.receiptBatchSize, 1000);
  });

  it("requires a trusted-documents manifest in production", () => {
    refusedAt({ ...minimal, mode: "production" }, "$.gateway.trustedDocuments");
    const c = parseGatewayConfig(
      { ...minimal, mode: "production", trustedDocuments: "documents.json" },
      BASE,
    );
    assert.equal(c.trustedDocuments, "/etc/coken/documents.json");
  });

  it("reads the policy per grant: minimum group size as grantee, threshold caps as grantor", () => {
    assert.deepEqual(parseGatewayConfig(minimal, BASE).grantPolicy, {});
    const c = parseGatewayConfig(
      {
        ...minimal,
        grantPolicy: { "grant-7": { minGroupSize: 10, thresholdQueriesPerKey: 16 }, "grant-8": {} },
      },
      BASE,
    );
    assert.deepEqual(c.grantPolicy, {
      "grant-7": { minGroupSize: 10, thresholdQueriesPerKey: 16 },
      "grant-8": {},
    });
    refusedAt({ ...minimal, grantPolicy: [] }, "$.gateway.grantPolicy");
    refusedAt({ ...minimal, grantPolicy: { g: 5 } }, "$.gateway.grantPolicy.g");
    refusedAt(
      { ...minimal, grantPolicy: { g: { minGroupSize: -1 } } },
      "$.gateway.grantPolicy.g.minGroupSize",
    );
    refusedAt(
      { ...minimal, grantPolicy: { g: { thresholdQueriesPerKey: 0 } } },
      "$.gateway.grantPolicy.g.thresholdQueriesPerKey",
    );
    refusedAt({ ...minimal, grantPolicy: { g: { quota: 1 } } }, "$.gateway.grantPolicy.g.quota");
  });

  it("refuses bad values at their path", () => {
    refusedAt(null, "$.gateway");
    refusedAt([], "$.gateway");
    refusedAt({}, "$.gateway.publicUrl");
    refusedAt({ publicUrl: "ftp://x" }, "$.gateway.publicUrl");
    refusedAt({ ...minimal, surprise: 1 }, "$.gateway.surprise");
    refusedAt({ ...minimal, mode: "test" }, "$.gateway.mode");
    refusedAt({ ...minimal, receiptCommit: "later" }, "$.gateway.receiptCommit");
    refusedAt({ ...minimal, upstreamTimeoutMs: 10 }, "$.gateway.upstreamTimeoutMs");
    refusedAt({ ...minimal, port: 70000 }, "$.gateway.port");
    refusedAt({ ...minimal, port: 1.5 }, "$.gateway.port");
    refusedAt({ ...minimal, peers: { "bj.housing": "not a url" } }, "$.gateway.peers.bj.housing");
    refusedAt({ ...minimal, peers: [] }, "$.gateway.peers");
    refusedAt({ ...minimal, tls: { key: "k" } }, "$.gateway.tls");
    refusedAt({ ...minimal, trustedDocuments: 7 }, "$.gateway.trustedDocuments");
    refusedAt({ ...minimal, receiptBatchSize: 0 }, "$.gateway.receiptBatchSize");
  });
});
