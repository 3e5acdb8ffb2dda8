import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { isZkError } from "../../src/errors.js";
import { proveGroth16, witnessElements } from "../../src/prover/groth16.js";
import { multiExp, windowBits } from "../../src/prover/msm.js";
import { type ProvingKey, parseProvingKey } from "../../src/prover/proving-key.js";
import { readVerificationKey } from "../../src/setup/manifest.js";
import {
  type Curve,
  loadCurve,
  loadSnarkjs,
  loadWitnessCalculator,
  releaseCurve,
  type Snarkjs,
  type VerificationKeyJson,
} from "../../src/setup/snark.js";
import { buildInput } from "../../src/statements/index.js";
import { testArtifact } from "../fixtures/artifacts.js";
import { BINDING, register } from "../fixtures/world.js";

describe("Groth16 prover", () => {
  const reg = register();
  let curve: Curve;
  let snarkjs: Snarkjs;
  let zkey: Uint8Array;
  let key: ProvingKey;
  let vk: VerificationKeyJson;
  let witness: Uint8Array;
  let task: ReturnType<typeof buildInput>;

  before(async () => {
    task = buildInput(
      reg.dataset,
      { kind: "threshold", key: reg.rows[3]?.key ?? "", field: "value", op: "gte", value: 1 },
      BINDING,
    );
    const a = await testArtifact(task.circuit);
    snarkjs = await loadSnarkjs();
    curve = await loadCurve();
    zkey = new Uint8Array(await readFile(a.zkey));
    key = parseProvingKey(zkey);
    vk = await readVerificationKey(a);
    const calculator = await loadWitnessCalculator(await readFile(a.wasm));
    witness = witnessElements(await calculator.calculateWTNSBin(task.input, true), key.nVars);
  });
  after(() => releaseCurve());

  it("proves what snarkjs verifies, with the statement's public signals", async () => {
    const { proof, publicSignals } = await proveGroth16(curve, key, witness);
    assert.deepEqual(publicSignals, task.publicSignals);
    assert.equal(await snarkjs.groth16.verify(vk, publicSignals, proof), true);
    assert.deepEqual(proof.pi_a.slice(2), ["1"]);
    assert.deepEqual(proof.pi_b[2], ["1", "0"]);
  });

  it("two proofs of one witness differ (fresh randomness) and both verify", async () => {
    const [p, q] = await Promise.all([proveGroth16(curve, key, witness), proveGroth16(curve, key, witness)]);
    assert.notDeepEqual(p.proof.pi_a, q.proof.pi_a);
    for (const r of [p, q]) assert.equal(await snarkjs.groth16.verify(vk, r.publicSignals, r.proof), true);
  });

  it("a witness that breaks a constraint gives a proof that does not verify", async () => {
    const bad = witness.slice();
    // The last wire is an internal signal; changing it breaks the constraints it appears in.
    const at = bad.length - 32;
    bad[at] = (bad[at] as number) ^ 1;
    const { proof, publicSignals } = await proveGroth16(curve, key, bad);
    assert.equal(await snarkjs.groth16.verify(vk, publicSignals, proof), false);
  });

  it("a tampered public signal does not verify", async () => {
    const { proof, publicSignals } = await proveGroth16(curve, key, witness);
    const tampered = publicSignals.map((s, i) => (i === 0 ? String(BigInt(s) + 1n) : s));
    assert.equal(await snarkjs.groth16.verify(vk, tampered, proof), false);
  });

  it("refuses a witness of the wrong length", async () => {
    await assert.rejects(proveGroth16(curve, key, witness.subarray(32)), /witness has/);
  });

  it("parses the key: sizes agree with the verification key, zero points are dropped", () => {
    assert.equal(key.nPublic, vk.nPublic);
    assert.equal(key.domainSize, 2 ** key.power);
    assert.ok(key.pointsB2.signals.length < key.nVars, "B has wires absent from it");
    assert.equal(key.pointsB1.signals.length, key.pointsB2.signals.length);
    assert.equal(key.pointsB2.points.length, key.pointsB2.signals.length * 128);
    assert.ok((key.pointsC.signals[0] ?? 0) > key.nPublic);
  });

  it("refuses what is not a Groth16 bn128 key with ARTIFACT_MISSING", () => {
    const refused = (bytes: Uint8Array) =>
      assert.throws(
        () => parseProvingKey(bytes),
        (e) => isZkError(e, "ARTIFACT_MISSING"),
      );
    refused(new Uint8Array(0));
    refused(new TextEncoder().encode("wtns\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000"));
    refused(zkey.subarray(0, zkey.length - 100));
    const plonk = zkey.slice();
    // Section 1 (the protocol id) follows the 12-byte file header and its own 12-byte header.
    new DataView(plonk.buffer).setUint32(24, 2, true);
    refused(plonk);
  });

  it("multiExp equals the sum of scalar multiplications, zero points and zero scalars included", async () => {
    const G1 = curve.G1 as Curve["G1"] & {
      timesScalar(p: Uint8Array, s: Uint8Array): Uint8Array;
      eq(a: Uint8Array, b: Uint8Array): boolean;
    };
    const n = 37;
    const bases = new Uint8Array(n * 64);
    const scalars = new Uint8Array(n * 32);
    let expected = G1.zero;
    for (let i = 0; i < n; i++) {
      const point = i % 5 === 0 ? G1.zeroAffine : G1.toAffine(G1.timesFr(G1.g, curve.Fr.e(BigInt(i + 2))));
      bases.set(point, i * 64);
      const s = i % 7 === 0 ? 0n : (key.r - 1n - BigInt(i) * 987_654_321n) % key.r;
      const bytes = new Uint8Array(32);
      new DataView(bytes.buffer).setBigUint64(0, s & ((1n << 64n) - 1n), true);
      for (let k = 1; k < 4; k++)
        new DataView(bytes.buffer).setBigUint64(8 * k, (s >> (64n * BigInt(k))) & ((1n << 64n) - 1n), true);
      scalars.set(bytes, i * 32);
      expected = G1.add(expected, G1.timesScalar(point, bytes));
    }
    for (const parts of [1, 2, 5])
      assert.ok(G1.eq(await multiExp(curve, "G1", bases, scalars, parts), expected), `parts ${parts}`);
    assert.ok(G1.eq(await multiExp(curve, "G1", new Uint8Array(0), new Uint8Array(0)), G1.zero));
    await assert.rejects(multiExp(curve, "G1", bases, scalars.subarray(32)), /bases for/);
  });

  it("window widths grow with the number of points", () => {
    assert.equal(windowBits(1), 1);
    assert.ok(windowBits(4096) > windowBits(64));
    assert.ok(windowBits(1 << 24) <= 16);
  });
});
