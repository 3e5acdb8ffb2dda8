import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ZkAnswer, ZkQuery } from "../../src/api.js";
import { FIELD_ORDER } from "../../src/commitment/field.js";
import { isZkError, type ZkErrorCode } from "../../src/errors.js";
import { createQueryProver, type LocalQueryProver } from "../../src/prover/query-prover.js";
import { publicSignalsFor } from "../../src/statements/index.js";
import { createAnswerVerifier, type LocalAnswerVerifier } from "../../src/verifier/answer-verifier.js";
import { encodeProofBundle, proofBundleHash } from "../../src/verifier/bundle.js";
import { BINDING, register, testWorld } from "../fixtures/world.js";

const rejects = (p: Promise<unknown>, code: ZkErrorCode) =>
  assert.rejects(p, (e) => isZkError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));

describe("answers end to end (dev keys, depth 4)", () => {
  const reg = register();
  const row = reg.rows[3];
  if (row === undefined) throw new Error("fixture");
  const value = Number(row.fields.value);
  const threshold: ZkQuery = { kind: "threshold", key: row.key, field: "value", op: "gte", value: value - 1 };
  const membership: ZkQuery = { kind: "membership", key: row.key };
  let world: Awaited<ReturnType<typeof testWorld>>;
  let prover: LocalQueryProver;
  let verifier: LocalAnswerVerifier;
  let answer: ZkAnswer;
  let clock = 1_800_000_000_000;

  before(async () => {
    world = await testWorld();
    prover = createQueryProver({ pool: { size: 1 } })({ artifacts: world.registry });
    prover.register("land.parcels", reg.dataset);
    verifier = createAnswerVerifier({ now: () => clock })({ keys: world.registry });
    answer = await prover.prove("land.parcels", threshold, BINDING);
  });
  after(async () => {
    await prover.close();
    await verifier.close();
  });

  it("an honest threshold answer verifies", async () => {
    assert.deepEqual(answer.result, { kind: "threshold", holds: true });
    await verifier.verify(answer, world.expected(reg, threshold));
  });

  it("an honest membership and non-membership answer verifies", async () => {
    const member = await prover.prove("land.parcels", membership, BINDING);
    assert.deepEqual(member.result, { kind: "membership", member: true });
    await verifier.verify(member, world.expected(reg, membership));
    const absent: ZkQuery = { kind: "membership", key: "parcel-nowhere" };
    const non = await prover.prove("land.parcels", absent, BINDING);
    assert.deepEqual(non.result, { kind: "membership", member: false });
    await verifier.verify(non, world.expected(reg, absent));
  });

  it("is refused over a commitment without a verified well-formedness record, or with another schema", async () => {
    await rejects(
      verifier.verify(answer, world.expected(reg, threshold, { wellFormed: undefined })),
      "NOT_WELL_FORMED",
    );
    const own = world.expected(reg, threshold).wellFormed;
    if (own === undefined) throw new Error("fixture");
    const otherSchema = { ...own, schemaDigest: own.schemaDigest + 1n };
    await rejects(
      verifier.verify(answer, world.expected(reg, threshold, { wellFormed: otherSchema })),
      "PROOF_INVALID",
    );
    // development mode only: accepted without a record, meta taken from the proof
    const dev = createAnswerVerifier({ now: () => clock, acceptWithoutEvidence: true })({
      keys: world.registry,
    });
    await dev.verify(answer, world.expected(reg, threshold, { wellFormed: undefined }));
    await dev.close();
  });

  it("a proof relabelled with another circuit id than its key's is refused", async () => {
    const relabelled = { ...answer, proof: { ...answer.proof, circuit: "membership-d4" } };
    await rejects(verifier.verify(relabelled, world.expected(reg, threshold)), "KEY_UNKNOWN");
  });

  it("non-canonical encodings of the same proof (x + q, Jacobian Z ≠ 1) are refused", async () => {
    const q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
    const [x, y] = answer.proof.proof.pi_a.map(BigInt) as [bigint, bigint];
    const z = 2n;
    const jacobian = [(x * z * z) % q, (y * z * z * z) % q, z].map(String);
    for (const pi_a of [[String(x + q), String(y), "1"], jacobian]) {
      const forged = { ...answer, proof: { ...answer.proof, proof: { ...answer.proof.proof, pi_a } } };
      await rejects(verifier.verify(forged, world.expected(reg, threshold)), "PROOF_INVALID");
    }
    await verifier.verify(answer, world.expected(reg, threshold));
  });

  it("a tampered result fails", async () => {
    const forged = { ...answer, result: { kind: "threshold" as const, holds: false } };
    await rejects(verifier.verify(forged, world.expected(reg, threshold)), "PROOF_INVALID");
  });

  it("public signals rewritten to the tampered result fail the pairing check", async () => {
    const expected = world.expected(reg, threshold);
    const result = { kind: "threshold" as const, holds: false };
    const signals = publicSignalsFor(expected, result, answer.proof.circuit);
    const forged = { result, proof: { ...answer.proof, publicSignals: signals } };
    await rejects(verifier.verify(forged, expected), "PROOF_INVALID");
  });

  it("another dataset's commitment fails", async () => {
    const other = register(12, 99);
    await rejects(verifier.verify(answer, world.expected(other, threshold)), "COMMITMENT_MISMATCH");
  });

  it("a stale commitment fails", async () => {
    const older = register(11);
    await rejects(verifier.verify(answer, world.expected(older, threshold)), "COMMITMENT_MISMATCH");
  });

  it("another requester fails", async () => {
    const binding = { ...BINDING, requester: "court.region-c" };
    await rejects(verifier.verify(answer, world.expected(reg, threshold, { binding })), "BINDING_MISMATCH");
  });

  it("the same proof presented for a new nonce fails", async () => {
    const binding = { ...BINDING, nonce: new Uint8Array(16).fill(7) };
    await rejects(verifier.verify(answer, world.expected(reg, threshold, { binding })), "BINDING_MISMATCH");
  });

  it("the same proof with signals rewritten for the new nonce fails the pairing check", async () => {
    const binding = { ...BINDING, nonce: new Uint8Array(16).fill(7) };
    const expected = world.expected(reg, threshold, { binding });
    const signals = publicSignalsFor(expected, answer.result, answer.proof.circuit);
    await rejects(
      verifier.verify({ ...answer, proof: { ...answer.proof, publicSignals: signals } }, expected),
      "PROOF_INVALID",
    );
  });

  it("a public input at or above the field order fails", async () => {
    const signals = [...answer.proof.publicSignals];
    signals[1] = (BigInt(signals[1] ?? "0") + FIELD_ORDER).toString();
    const forged = { ...answer, proof: { ...answer.proof, publicSignals: signals } };
    await rejects(verifier.verify(forged, world.expected(reg, threshold)), "PUBLIC_INPUT_RANGE");
  });

  it("an expired request fails", async () => {
    clock = BINDING.expiresAt + 1;
    try {
      await rejects(verifier.verify(answer, world.expected(reg, threshold)), "EXPIRED");
    } finally {
      clock = 1_800_000_000_000;
    }
  });

  it("a key not in force for the query kind fails", async () => {
    const expected = world.expected(reg, threshold);
    const keys = expected.commitment.verifyingKeys.filter((k) => k.queryKind !== "threshold");
    await rejects(
      verifier.verify(answer, { ...expected, commitment: { ...expected.commitment, verifyingKeys: keys } }),
      "KEY_UNKNOWN",
    );
  });

  it("encodes a bundle canonically and hashes it", () => {
    const again = { ...answer.proof, publicSignals: [...answer.proof.publicSignals] };
    assert.deepEqual(encodeProofBundle(again), encodeProofBundle(answer.proof));
    assert.equal(proofBundleHash(answer.proof).length, 32);
    const other = { ...answer.proof, publicSignals: ["0", ...answer.proof.publicSignals.slice(1)] };
    assert.notDeepEqual(proofBundleHash(other), proofBundleHash(answer.proof));
  });
});
