import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isZkError } from "../../src/errors.js";
import { createArtifactRegistry } from "../../src/registry/artifacts.js";
import { exists, materialize } from "../../src/setup/cache.js";
import { devSecrets, writeDevPtau } from "../../src/setup/dev-ptau.js";
import { readVerificationKey } from "../../src/setup/manifest.js";
import { inspectPreparedPtau } from "../../src/setup/ptau.js";
import { type Curve, loadCurve, releaseCurve } from "../../src/setup/snark.js";
import { canonicalVerificationKey, verificationKeyHash } from "../../src/setup/vkey-hash.js";
import { testArtifacts } from "../fixtures/artifacts.js";

describe("artifacts", () => {
  let dir: string;
  let curve: Curve;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-artifacts-"));
    curve = await loadCurve();
  });
  after(async () => {
    await releaseCurve();
    await rm(dir, { recursive: true, force: true });
  });

  it("an interrupted cache fill leaves no entry and no temporary folder", async () => {
    const entry = join(dir, "cache", "keys", "abc");
    await assert.rejects(
      materialize(entry, async (tmp) => {
        await writeFile(join(tmp, "half.zkey"), "half");
        throw new Error("interrupted");
      }),
    );
    assert.equal(await exists(entry), false);
    assert.deepEqual(await readdir(join(dir, "cache", "keys")), []);
    assert.equal(await materialize(entry, (tmp) => writeFile(join(tmp, "whole.zkey"), "whole")), true);
    assert.equal(await materialize(entry, () => Promise.reject(new Error("not called"))), false);
  });

  it("a prepared phase-1 file passes inspection; an unprepared or foreign one does not", async () => {
    const secrets = devSecrets(new Uint8Array([5]), curve.r);
    await writeDevPtau(curve, 3, secrets, join(dir, "prepared.ptau"));
    await writeDevPtau(curve, 3, secrets, join(dir, "raw.ptau"), undefined, false);
    await writeFile(join(dir, "junk.ptau"), "not a ptau at all");
    assert.equal(await inspectPreparedPtau(join(dir, "prepared.ptau")), 3);
    for (const f of ["raw.ptau", "junk.ptau"]) {
      await assert.rejects(inspectPreparedPtau(join(dir, f)), (e) => isZkError(e, "CEREMONY_INVALID"));
    }
  });

  it("dev keys are marked and refused by a production registry", async () => {
    const artifacts = await testArtifacts();
    assert.ok(artifacts.every((a) => a.devSetup && a.phase1 === "dev" && a.phase2 === "local"));
    assert.throws(
      () => createArtifactRegistry(artifacts, { production: true }),
      (e) => isZkError(e, "DEV_SETUP"),
    );
  });

  it("the verifying-key hash is the tagged SHA-256 of the canonical key, independent of key order", async () => {
    const [a] = await testArtifacts();
    assert.ok(a);
    const vk = await readVerificationKey(a);
    assert.equal(Buffer.from(verificationKeyHash(vk)).toString("hex"), a.verifyingKeyHash);
    const reordered = Object.fromEntries(Object.entries(vk).reverse()) as typeof vk;
    assert.equal(canonicalVerificationKey(reordered), canonicalVerificationKey(vk));
    const other = { ...vk, IC: vk.IC.slice(1) };
    assert.notEqual(Buffer.from(verificationKeyHash(other)).toString("hex"), a.verifyingKeyHash);
  });
});
