import assert from "node:assert/strict";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { contribute, finalizeCeremony, initCeremony, verifyCeremony } from "../../src/ceremony/ceremony.js";
import { datasetCommitBody } from "../../src/ceremony/publish.js";
import { readTranscript } from "../../src/ceremony/transcript.js";
import { compileCircom } from "../../src/compile.js";
import { isZkError } from "../../src/errors.js";
import { devPtau, type PtauFile } from "../../src/setup/ptau.js";
import { readR1csInfo } from "../../src/setup/r1cs.js";
import { releaseCurve } from "../../src/setup/snark.js";
import { TEST_CACHE } from "../fixtures/artifacts.js";

const MULTIPLIER = `pragma circom 2.1.0;
template Multiplier() { signal input a; signal input b; signal output c; c <== a * b; }
component main {public [a]} = Multiplier();
`;

describe("phase-2 ceremony", () => {
  let dir: string;
  let ptau: PtauFile;
  let input: Parameters<typeof initCeremony>[2][number];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-ceremony-"));
    await writeFile(join(dir, "multiplier.circom"), MULTIPLIER);
    const compiled = await compileCircom(join(dir, "multiplier.circom"), { outDir: join(dir, "build") });
    const info = await readR1csInfo(compiled.r1cs);
    ptau = await devPtau(TEST_CACHE, info.power);
    input = {
      circuit: "multiplier",
      queryKinds: ["membership"],
      r1cs: compiled.r1cs,
      wasm: compiled.wasm,
      constraints: info.constraints,
      power: info.power,
      compileKey: "multiplier-fixture",
    };
  });
  after(async () => {
    await releaseCurve();
    await rm(dir, { recursive: true, force: true });
  });

  it("three agencies contribute in turn, each verified, and the final keys are published", async () => {
    const work = join(dir, "honest");
    await initCeremony(work, ptau, [input]);
    for (const agency of ["sh.land-registry", "bj.tax-bureau", "gz.housing"]) {
      await contribute(work, agency, `entropy of ${agency}`);
    }
    await verifyCeremony(work);
    const t = await readTranscript(work);
    assert.deepEqual(t.contributors, ["sh.land-registry", "bj.tax-bureau", "gz.housing"]);
    const result = await finalizeCeremony(work, join(dir, "cache"));
    const [a] = result.artifacts;
    assert.ok(a);
    assert.equal(a.phase2, "ceremony");
    assert.equal(a.devSetup, true, "a dev phase-1 file keeps the keys dev-only");
    assert.deepEqual(a.contributors, t.contributors);
    assert.equal(result.verifyingKeys.length, 1);
    const body = datasetCommitBody({
      chain: "coken-test",
      sender: "sh.land-registry",
      seq: 3,
      dataset: "sh.parcels",
      commitment: { scheme: "coken.zk.v1.d4", root: new Uint8Array(32), rowCount: 0, indexedFields: [] },
      verifyingKeys: result.verifyingKeys,
    });
    assert.deepEqual(body.payload.commitment.verifyingKeys, result.verifyingKeys);
  });

  it("a tampered contribution is detected and the next agency cannot build on it", async () => {
    const work = join(dir, "tampered");
    await initCeremony(work, ptau, [input]);
    await contribute(work, "sh.land-registry", "one");
    await contribute(work, "bj.tax-bureau", "two");
    const t = await readTranscript(work);
    const latest = join(work, t.circuits[0]?.zkeys.at(-1) ?? "");
    // Flip one byte near the end of the key (inside the contribution's points and transcript).
    const fh = await open(latest, "r+");
    const { size } = await fh.stat();
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 200);
    b[0] = (b[0] ?? 0) ^ 0xff;
    await fh.write(b, 0, 1, size - 200);
    await fh.close();
    await assert.rejects(verifyCeremony(work), (e) => isZkError(e, "CEREMONY_INVALID"));
    await assert.rejects(contribute(work, "gz.housing", "three"), (e) => isZkError(e, "CEREMONY_INVALID"));
    assert.deepEqual((await readTranscript(work)).contributors, ["sh.land-registry", "bj.tax-bureau"]);
  });

  it("refuses to finish with too few contributors", async () => {
    const work = join(dir, "short");
    await initCeremony(work, ptau, [input]);
    await contribute(work, "sh.land-registry", "one");
    await assert.rejects(finalizeCeremony(work, join(dir, "cache")), (e) => isZkError(e, "CEREMONY_INVALID"));
  });
});
