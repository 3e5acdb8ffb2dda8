import assert from "node:assert/strict";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { Store } from "@coken/store";
import { buildArtifacts } from "@coken/zk";
import { silentLogger } from "../src/log.js";
import { parseZkConfig } from "../src/zk-config.js";
import { startZk } from "../src/zk-wiring.js";

// The zk package's test cache (same specs, so usually already built there).
const CACHE = process.env.COKEN_ZK_TEST_CACHE ?? join(tmpdir(), "coken-zk-test-cache");
const COMPONENTS = {
  agency: "sh.land-registry",
  ledger: { get: () => undefined },
  store: {} as Store,
  log: silentLogger,
};

describe("zk wiring: the prover's threads", () => {
  let circuit: string;

  before(async () => {
    const [built] = await buildArtifacts([{ name: "membership", params: { depth: 4 } }], {
      cacheDir: CACHE,
      phaseOne: { kind: "dev" },
    });
    circuit = built?.circuit ?? assert.fail("no artifact built");
  });

  const config = (extra: Record<string, unknown>) =>
    parseZkConfig(
      {
        cacheDir: CACHE,
        circuits: [circuit],
        devKeys: true,
        datasets: { "sh.land/parcels": { depth: 4 } },
        ...extra,
      },
      "/",
      false,
    );

  it("by default starts no prover thread until one is needed, and its curve has no threads", async () => {
    const zk = await startZk(config({}), COMPONENTS);
    try {
      assert.equal(zk.prover?.stats().workers, 0);
      await zk.prover?.ready();
      assert.equal(zk.prover?.stats().workers, 1);
      assert.equal(zk.prover?.stats().curveThreads, 0);
    } finally {
      await zk.close();
    }
  });

  it("with proverIdleMs 0 and per-core curve threads, keeps a warm thread whose curve has a thread per core", async () => {
    const zk = await startZk(config({ proverIdleMs: 0, curveThreads: "per-core" }), COMPONENTS);
    try {
      assert.equal(zk.prover?.stats().workers, 1);
      await zk.prover?.ready();
      assert.equal(zk.prover?.stats().curveThreads, cpus().length);
    } finally {
      await zk.close();
    }
  });

  it("starts no prover at all for an agency that proves over no dataset", async () => {
    const zk = await startZk(config({ datasets: {} }), COMPONENTS);
    assert.equal(zk.prover, undefined);
    await zk.close();
  });
});
