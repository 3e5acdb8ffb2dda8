import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isZkError } from "../../src/errors.js";
import { chooseArtifacts, installedArtifacts } from "../../src/setup/installed.js";
import { type ArtifactManifest, KEY_FILES } from "../../src/setup/manifest.js";
import { TEST_CACHE, testArtifacts } from "../fixtures/artifacts.js";

const CIRCUITS = ["threshold-d4-f5", "membership-d4"];

describe("installed artifacts: the keys a peer finds in its cache", () => {
  let cache: string;
  before(async () => {
    // A private cache holding copies of the test entries, so entries can be added without touching the shared one.
    cache = await mkdtemp(join(tmpdir(), "coken-installed-"));
    for (const a of await testArtifacts()) {
      await cp(join(TEST_CACHE, "circuits", a.compileKey), join(cache, "circuits", a.compileKey), {
        recursive: true,
      });
      await cp(dirname(a.zkey), join(cache, "keys", a.setupKey), { recursive: true });
    }
  });
  after(() => rm(cache, { recursive: true, force: true }));

  const addEntry = async (id: string, from: string, patch: Partial<ArtifactManifest>) => {
    const entry = join(cache, "keys", id);
    await cp(join(cache, "keys", from), entry, { recursive: true });
    const manifest = JSON.parse(await readFile(join(entry, KEY_FILES.manifest), "utf8")) as ArtifactManifest;
    await writeFile(join(entry, KEY_FILES.manifest), JSON.stringify({ ...manifest, ...patch, setupKey: id }));
  };

  it("lists complete entries of the named circuits, joined with their compiled circuits", async () => {
    const found = await installedArtifacts(cache, CIRCUITS);
    assert.deepEqual(found.map((a) => a.circuit).sort(), [...CIRCUITS].sort());
    for (const a of found) {
      assert.equal(a.devSetup, true);
      assert.ok(a.wasm.startsWith(join(cache, "circuits", a.compileKey)));
      assert.ok(a.zkey.startsWith(join(cache, "keys")));
    }
    assert.deepEqual(await installedArtifacts(join(cache, "absent"), CIRCUITS), []);
  });

  it("ignores entries of another circuit source and entries still being written", async () => {
    const [threshold] = (await installedArtifacts(cache, ["threshold-d4-f5"])) ?? [];
    assert.ok(threshold);
    await addEntry("other-source", threshold.setupKey, { compileKey: "f".repeat(64) });
    await mkdir(join(cache, "keys", "half-written"));
    const found = await installedArtifacts(cache, ["threshold-d4-f5"]);
    assert.deepEqual(
      found.map((a) => a.setupKey),
      [threshold.setupKey],
    );
  });

  it("prefers ceremony keys, and refuses development keys in production", async () => {
    const dev = await installedArtifacts(cache, CIRCUITS);
    assert.throws(
      () => chooseArtifacts(dev, CIRCUITS, { production: true }),
      (e: unknown) =>
        isZkError(e) && e.code === "ARTIFACT_MISSING" && /development keys only/.test(e.message),
    );
    const membership = dev.find((a) => a.circuit === "membership-d4");
    assert.ok(membership);
    await addEntry("ceremony-keys", membership.setupKey, { devSetup: false, phase2: "ceremony" });
    const all = await installedArtifacts(cache, CIRCUITS);
    const [chosen] = chooseArtifacts(all, ["membership-d4"], { production: false });
    assert.equal(chosen?.setupKey, "ceremony-keys");
    assert.equal(chooseArtifacts(all, ["membership-d4"], { production: true })[0]?.setupKey, "ceremony-keys");
    assert.throws(
      () => chooseArtifacts(all, ["range-d4"], { production: false }),
      (e: unknown) => isZkError(e) && e.code === "ARTIFACT_MISSING",
    );
  });
});
