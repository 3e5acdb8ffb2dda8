import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parsePeerConfig } from "../src/config.js";
import { parseZkConfig } from "../src/zk-config.js";

const BASE = "/etc/coken";
const ENV = { COKEN_ZK_CACHE: "/var/cache/coken-zk" };

function refusedAt(value: unknown, path: string, production = false): void {
  assert.throws(
    () => parseZkConfig(value, BASE, production, ENV),
    (e: unknown) => e instanceof ConfigError && e.path === path,
  );
}

describe("zk config", () => {
  it("fills defaults: the benchmark circuits with their layout's evidence chunk circuit, no development keys, one on-demand prover thread without curve threads, no proved datasets", () => {
    const c = parseZkConfig({}, BASE, false, ENV);
    assert.deepEqual(c, {
      cacheDir: "/var/cache/coken-zk",
      circuits: ["threshold-d20-f5", "membership-d20", "range-d20", "wellformed-f5-i2-r16"],
      devKeys: false,
      requireEvidence: true,
      proverThreads: 1,
      proveTimeoutMs: 30_000,
      curveThreads: "none",
      proverIdleMs: 60_000,
      datasets: {},
    });
  });

  it("reads proved datasets with their layout and resolves a relative cache", () => {
    const c = parseZkConfig(
      {
        cacheDir: "zk",
        circuits: ["threshold-d4-f5"],
        devKeys: true,
        datasets: {
          "sh.land/parcels": { depth: 4, indexes: [{ field: "owner", sum: "area" }, { field: "value" }] },
        },
      },
      BASE,
      false,
      ENV,
    );
    assert.equal(c.cacheDir, "/etc/coken/zk");
    assert.deepEqual(c.datasets, {
      "sh.land/parcels": {
        depth: 4,
        indexes: [{ field: "owner", sum: "area" }, { field: "value" }],
        evidence: true,
      },
    });
  });

  it("requires evidence unless development keys say otherwise; strict development keys are allowed", () => {
    const parse = (z: Record<string, unknown>) => parseZkConfig(z, BASE, false, ENV);
    assert.equal(parse({}).requireEvidence, true);
    assert.equal(parse({ devKeys: true }).requireEvidence, false);
    assert.equal(parse({ devKeys: true, requireEvidence: true }).requireEvidence, true);
    assert.equal(parse({ requireEvidence: true }).requireEvidence, true);
    const lax = parse({ devKeys: true, datasets: { d: { evidence: false }, e: {} } });
    assert.equal(lax.datasets.d?.evidence, false);
    assert.equal(lax.datasets.e?.evidence, true);
    // production is always strict, and a strict peer proves the evidence of every dataset it answers over
    refusedAt({ requireEvidence: false }, "$.zk.requireEvidence");
    refusedAt({ requireEvidence: "no", devKeys: true }, "$.zk.requireEvidence");
    refusedAt({ datasets: { d: { evidence: false } } }, "$.zk.datasets.d.evidence");
    refusedAt(
      { devKeys: true, requireEvidence: true, datasets: { d: { evidence: false } } },
      "$.zk.datasets.d.evidence",
    );
    refusedAt({ devKeys: true, datasets: { d: { evidence: "no" } } }, "$.zk.datasets.d.evidence");
    assert.throws(
      () => parse({ devKeys: true, requireEvidence: true, datasets: { d: { evidence: false } } }),
      /evidence: false needs requireEvidence false \(development keys\)/,
    );
  });

  it("refuses bad sections with the path of the problem", () => {
    refusedAt([], "$.zk");
    refusedAt({ surprise: 1 }, "$.zk.surprise");
    refusedAt({ circuits: [] }, "$.zk.circuits");
    refusedAt({ circuits: ["threshold-x"] }, "$.zk.circuits[0]");
    refusedAt({ devKeys: "yes" }, "$.zk.devKeys");
    refusedAt({ proverThreads: 0 }, "$.zk.proverThreads");
    refusedAt({ curveThreads: 2 }, "$.zk.curveThreads");
    refusedAt({ curveThreads: "all" }, "$.zk.curveThreads");
    refusedAt({ proverIdleMs: -1 }, "$.zk.proverIdleMs");
    refusedAt({ datasets: { d: { depth: 5 } } }, "$.zk.datasets.d.depth");
    refusedAt({ datasets: { d: { indexes: [{ field: "" }] } } }, "$.zk.datasets.d.indexes[0].field");
    refusedAt(
      { datasets: { d: { indexes: [{ field: "a", other: 1 }] } } },
      "$.zk.datasets.d.indexes[0].other",
    );
  });

  it("never lets a production gateway use development keys", () => {
    refusedAt({ devKeys: true }, "$.zk.devKeys", true);
    const doc = {
      genesis: "genesis.json",
      keystore: "key.json",
      store: { kind: "pglite", dataDir: "db" },
      p2p: { listen: "/ip4/127.0.0.1/tcp/0" },
      gateway: { publicUrl: "https://sh.example", mode: "production", trustedDocuments: "docs.json" },
      zk: { devKeys: true },
    };
    assert.throws(
      () => parsePeerConfig(doc, BASE),
      (e: unknown) => e instanceof ConfigError && e.path === "$.zk.devKeys",
    );
    const ok = parsePeerConfig({ ...doc, zk: {}, api: { tokenFile: "operator.token" } }, BASE);
    assert.equal(ok.zk?.devKeys, false);
    assert.equal(ok.api.tokenFile, "/etc/coken/operator.token");
  });
});
