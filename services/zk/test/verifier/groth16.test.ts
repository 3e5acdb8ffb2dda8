import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ZkAnswer } from "../../src/api.js";
import { createQueryProver } from "../../src/prover/query-prover.js";
import {
  type Groth16ProofJson,
  loadPairingCurve,
  loadSnarkjs,
  type PairingCurve,
  type PointGroup,
  releaseCurve,
  type Snarkjs,
  type VerificationKeyJson,
} from "../../src/setup/snark.js";
import { prepareKey, verifyGroth16, verifyGroth16Batch } from "../../src/verifier/groth16.js";
import { BINDING, register, testWorld } from "../fixtures/world.js";

/** The few extra curve operations the tests use to build tampered points. */
type Ops = PointGroup & {
  toAffine(p: Uint8Array): Uint8Array;
  toObject(p: Uint8Array): (bigint | bigint[])[];
  F: PointGroup["F"] & {
    e(v: bigint): Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    mul(a: Uint8Array, b: Uint8Array): Uint8Array;
    square(a: Uint8Array): Uint8Array;
    isSquare(a: Uint8Array): boolean;
    sqrt(a: Uint8Array): Uint8Array;
    fromObject(a: bigint[]): Uint8Array;
  };
  b: Uint8Array;
};

interface Sample {
  vk: VerificationKeyJson;
  publicSignals: string[];
  proof: Groth16ProofJson;
}

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

describe("Groth16 fast verifier agrees with snarkjs (dev keys, depth 4)", () => {
  let snarkjs: Snarkjs;
  let curve: PairingCurve;
  let g1: Ops;
  let g2: Ops;
  let threshold: Sample;
  let threshold2: Sample;
  let membership: Sample;
  let thresholdZkey: string;

  const strings = (p: Uint8Array, g: Ops): string[] | string[][] =>
    g.toObject(g.toAffine(p)).map((c) => (Array.isArray(c) ? c.map(String) : String(c))) as
      | string[]
      | string[][];
  const g1Json = (p: Uint8Array) => strings(p, g1) as string[];
  const g2Json = (p: Uint8Array) => strings(p, g2) as string[][];
  const pointA = (s: Sample) => g1.fromObject(s.proof.pi_a.map(BigInt));
  const pointB = (s: Sample) => g2.fromObject(s.proof.pi_b.map((c) => c.map(BigInt)));

  /** Both verifiers on one case; they must give the same answer, and it must be the expected one. */
  const agree = async (s: Sample, expected: boolean, what: string): Promise<void> => {
    const reference = await snarkjs.groth16.verify(s.vk, s.publicSignals, s.proof);
    const fast = verifyGroth16(curve, prepareKey(curve, s.vk), s.publicSignals, s.proof);
    assert.equal(reference, expected, `snarkjs on ${what}`);
    assert.equal(fast, expected, `fast path on ${what}`);
  };
  const withProof = (s: Sample, part: Partial<Groth16ProofJson>): Sample => ({
    ...s,
    proof: { ...s.proof, ...part },
  });

  /** A point of bn128's twist that is not in the order-r subgroup (the twist's cofactor is about 2^254). */
  const offSubgroupG2 = (): Uint8Array => {
    const F = g2.F;
    for (let k = 1n; ; k++) {
      const x = F.fromObject([k, 1n]);
      const rhs = F.add(F.mul(F.square(x), x), g2.b);
      if (!F.isSquare(rhs)) continue;
      const p = new Uint8Array(F.n8 * 2);
      p.set(x);
      p.set(F.sqrt(rhs), F.n8);
      return p;
    }
  };

  before(async () => {
    snarkjs = await loadSnarkjs();
    curve = await loadPairingCurve();
    g1 = curve.G1 as Ops;
    g2 = curve.G2 as Ops;
    const world = await testWorld();
    const reg = register();
    const row = reg.rows[3];
    if (row === undefined) throw new Error("fixture");
    const prover = createQueryProver({ pool: { size: 1 } })({ artifacts: world.registry });
    prover.register("land.parcels", reg.dataset);
    const sample = async (a: ZkAnswer): Promise<Sample> => {
      const vk = await world.registry.verificationKey(Buffer.from(a.proof.verifyingKeyHash).toString("hex"));
      if (vk === undefined) throw new Error("no key");
      return { vk, publicSignals: a.proof.publicSignals, proof: a.proof.proof };
    };
    try {
      const query = { kind: "threshold", key: row.key, field: "value", op: "gte", value: 1 } as const;
      const answer = await prover.prove("land.parcels", query, BINDING);
      threshold = await sample(answer);
      thresholdZkey = world.registry.get(answer.proof.circuit).zkey;
      membership = await sample(
        await prover.prove("land.parcels", { kind: "membership", key: row.key }, BINDING),
      );
      threshold2 = await sample(await prover.prove("land.parcels", { ...query, value: 2 }, BINDING));
    } finally {
      await prover.close();
    }
  });
  after(() => releaseCurve());

  it("accepts honest proofs of two circuits", async () => {
    await agree(threshold, true, "honest threshold");
    await agree(membership, true, "honest membership");
  });

  it("a batch accepts honest proofs under one key and refuses any batch holding a false one", async () => {
    const key = prepareKey(curve, threshold.vk);
    const item = (x: Sample) => ({ publicSignals: x.publicSignals, proof: x.proof });
    assert.equal(verifyGroth16Batch(curve, key, []), true);
    assert.equal(verifyGroth16Batch(curve, key, [item(threshold)]), true);
    assert.equal(verifyGroth16Batch(curve, key, [item(threshold), item(threshold2), item(threshold)]), true);
    const bumped = [...threshold2.publicSignals];
    bumped[0] = (BigInt(bumped[0] ?? "0") + 1n).toString();
    const cases: [string, { publicSignals: readonly string[]; proof: Groth16ProofJson }][] = [
      ["a signal changed", { publicSignals: bumped, proof: threshold2.proof }],
      ["another statement's proof", { publicSignals: threshold2.publicSignals, proof: threshold.proof }],
      ["B outside the subgroup", item(withProof(threshold2, { pi_b: g2Json(offSubgroupG2()) }))],
      ["another key's proof", item(membership)],
      [
        "a signal at the group order",
        { publicSignals: [R.toString(), ...bumped.slice(1)], proof: threshold2.proof },
      ],
    ];
    for (const [what, bad] of cases) {
      assert.equal(verifyGroth16(curve, key, bad.publicSignals, bad.proof), false, `${what}: alone`);
      assert.equal(verifyGroth16Batch(curve, key, [item(threshold), bad, item(threshold2)]), false, what);
    }
    // two false proofs whose errors might cancel in an unweighted sum: swapped between two statements
    const swapped = [
      { publicSignals: threshold.publicSignals, proof: threshold2.proof },
      { publicSignals: threshold2.publicSignals, proof: threshold.proof },
    ];
    assert.equal(verifyGroth16Batch(curve, key, swapped), false, "proofs swapped between statements");
  });

  it("rejects every tampered A and C", async () => {
    const a = pointA(threshold);
    const c = g1.fromObject(threshold.proof.pi_c.map(BigInt));
    const offCurve = (p: string[]) => [p[0] ?? "", (BigInt(p[1] ?? "0") + 1n).toString(), "1"];
    for (const [name, key] of [
      ["A", "pi_a"],
      ["C", "pi_c"],
    ] as const) {
      const p = key === "pi_a" ? a : c;
      const cases: [string, string[]][] = [
        ["doubled", g1Json(g1.add(p, p))],
        ["negated", g1Json(g1.neg(p))],
        ["the generator", g1Json(g1.fromObject([1n, 2n]))],
        ["the point at infinity", ["0", "1", "0"]],
        ["off the curve", offCurve(threshold.proof[key])],
      ];
      for (const [how, value] of cases)
        await agree(withProof(threshold, { [key]: value }), false, `${name} ${how}`);
    }
    await agree(
      withProof(threshold, { pi_a: threshold.proof.pi_c, pi_c: threshold.proof.pi_a }),
      false,
      "A, C swapped",
    );
  });

  it("rejects every tampered B, including a point of the twist outside the subgroup", async () => {
    const b = pointB(threshold);
    const stray = offSubgroupG2();
    // On the curve, so snarkjs' own point check passes it: only the pairing (snarkjs) or the subgroup check refuses it.
    assert.equal(g2.isValid(stray), true);
    assert.equal(
      g2.isZero(g2.timesScalar(stray, Uint8Array.from(Buffer.from(R.toString(16), "hex").reverse()))),
      false,
    );
    const pb = threshold.proof.pi_b;
    const cases: [string, string[][]][] = [
      ["doubled", g2Json(g2.add(b, b))],
      ["negated", g2Json(g2.neg(b))],
      ["outside the subgroup", g2Json(stray)],
      ["shifted off the subgroup", g2Json(g2.add(b, stray))],
      ["another proof's B", membership.proof.pi_b],
      ["with swapped coefficients", pb.map((c) => [c[1] ?? "", c[0] ?? ""])],
      [
        "off the curve",
        [pb[0] ?? [], (pb[1] ?? []).map((v, i) => (i === 0 ? (BigInt(v) + 1n).toString() : v)), ["1", "0"]],
      ],
      [
        "the point at infinity",
        [
          ["0", "0"],
          ["1", "0"],
          ["0", "0"],
        ],
      ],
    ];
    for (const [how, value] of cases) await agree(withProof(threshold, { pi_b: value }), false, `B ${how}`);
  });

  it("rejects each public signal changed, and signals at or above the group order", async () => {
    for (const [i, s] of threshold.publicSignals.entries()) {
      const bumped = [...threshold.publicSignals];
      bumped[i] = ((BigInt(s) + 1n) % R).toString();
      await agree({ ...threshold, publicSignals: bumped }, false, `signal ${i} + 1`);
      const wrapped = [...threshold.publicSignals];
      wrapped[i] = (BigInt(s) + R).toString();
      await agree({ ...threshold, publicSignals: wrapped }, false, `signal ${i} + r`);
    }
  });

  it("rejects a proof against another key, and against every element of its key changed", async () => {
    // The same circuit's key after one more phase-2 contribution: another δ, everything else equal.
    const dir = await mkdtemp(join(tmpdir(), "coken-zk-vk-"));
    try {
      const next = join(dir, "next.zkey");
      await snarkjs.zKey.contribute(thresholdZkey, next, "another party", "another entropy");
      const another = await snarkjs.zKey.exportVerificationKey(next);
      assert.notDeepEqual(another.vk_delta_2, threshold.vk.vk_delta_2);
      await agree({ ...threshold, vk: another }, false, "the key of another setup");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const other = g2Json(g2.add(pointB(membership), pointB(membership)));
    const vk = threshold.vk;
    const keys: [string, VerificationKeyJson][] = [
      ["alpha", { ...vk, vk_alpha_1: g1Json(g1.add(pointA(membership), pointA(membership))) }],
      ["beta", { ...vk, vk_beta_2: other }],
      ["gamma", { ...vk, vk_gamma_2: other }],
      ["delta", { ...vk, vk_delta_2: other }],
      ["gamma and delta swapped", { ...vk, vk_gamma_2: vk.vk_delta_2, vk_delta_2: vk.vk_gamma_2 }],
      ...vk.IC.map((_, i): [string, VerificationKeyJson] => [
        `IC[${i}]`,
        {
          ...vk,
          IC: vk.IC.map((p, j) =>
            j === i ? g1Json(g1.add(g1.fromObject(p.map(BigInt)), g1.fromObject([1n, 2n]))) : p,
          ),
        },
      ]),
    ];
    for (const [what, key] of keys) {
      // ICᵢ is weighted by signal i − 1: changing the point of a signal that is 0 changes nothing, for both.
      const unused =
        /^IC\[[1-9]/.test(what) && threshold.publicSignals[Number(what.slice(3, -1)) - 1] === "0";
      await agree({ ...threshold, vk: key }, unused, `key with ${what} changed`);
    }
    assert.ok(
      threshold.publicSignals.some((s) => s !== "0"),
      "at least one IC point is weighted by a non-zero signal",
    );
  });

  it("refuses a malformed key and answers false for a wrong signal count", () => {
    assert.throws(() => prepareKey(curve, { ...threshold.vk, IC: threshold.vk.IC.slice(1) }), /IC/);
    const key = prepareKey(curve, threshold.vk);
    assert.equal(verifyGroth16(curve, key, threshold.publicSignals.slice(1), threshold.proof), false);
    assert.equal(verifyGroth16(curve, key, threshold.publicSignals, threshold.proof), true);
  });
});
