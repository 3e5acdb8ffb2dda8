import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { devSecrets, writeDevPtau } from "../../src/setup/dev-ptau.js";
import { type Curve, loadCurve, loadSnarkjs } from "../../src/setup/snark.js";

describe("dev powers of tau", () => {
  let dir: string;
  let curve: Curve;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-ptau-"));
    curve = await loadCurve();
  });
  after(async () => {
    await curve.terminate();
    await rm(dir, { recursive: true, force: true });
  });

  it("is byte-identical to snarkjs prepare phase2 for the same secrets", async () => {
    const snarkjs = await loadSnarkjs();
    const secrets = devSecrets(new TextEncoder().encode("fixed seed"), curve.r);
    const raw = join(dir, "raw.ptau");
    const mine = join(dir, "mine.ptau");
    const theirs = join(dir, "theirs.ptau");
    await writeDevPtau(curve, 9, secrets, raw, undefined, false);
    await writeDevPtau(curve, 9, secrets, mine);
    await snarkjs.powersOfTau.preparePhase2(raw, theirs);
    const [a, b] = await Promise.all([readFile(mine), readFile(theirs)]);
    assert.equal(a.length, b.length);
    assert.ok(a.equals(b), "prepared files differ");
  });
});
