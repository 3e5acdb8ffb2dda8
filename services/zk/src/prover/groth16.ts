import { randomBytes } from "node:crypto";
import { PackedFields } from "../commitment/packed.js";
import type { Curve } from "../setup/snark.js";
import { multiExp } from "./msm.js";
import type { Bases, Coefficients, ProvingKey } from "./proving-key.js";

/** A Groth16 proof as snarkjs writes it (decimal strings, projective coordinates with z = 1). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
}

/** base^exp mod m. */
function powMod(base: bigint, exp: bigint, m: bigint): bigint {
  let out = 1n;
  let b = base % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) out = (out * b) % m;
    b = (b * b) % m;
  }
  return out;
}

/** R⁻¹ mod r for the Montgomery radix R = 2^256, per field order. */
const radixInverses = new Map<bigint, bigint>();
function radixInverse(r: bigint): bigint {
  let inv = radixInverses.get(r);
  if (inv === undefined) {
    inv = powMod((1n << 256n) % r, r - 2n, r);
    radixInverses.set(r, inv);
  }
  return inv;
}

/**
 * The witness values of a `.wtns` file as circom's calculator writes it (its last section: plain little-endian
 * 32-byte elements, the constant 1 first), copied into a buffer of their own.
 */
export function witnessElements(wtns: Uint8Array, nVars: number): Uint8Array {
  const size = nVars * 32;
  if (wtns.byteLength < size + 12 || new TextDecoder().decode(wtns.subarray(0, 4)) !== "wtns")
    throw new Error(`not a witness file of ${nVars} values`);
  return wtns.slice(wtns.byteLength - size);
}

/** Plain little-endian 32-byte field elements to bigints (the layout `PackedFields` keeps). */
function witnessValues(bytes: Uint8Array, count: number): bigint[] {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const packed = new PackedFields(count, new BigUint64Array(aligned.buffer, aligned.byteOffset, count * 4));
  return Array.from({ length: count }, (_, i) => packed.at(i) as bigint);
}

/** Bigints below 2^256 to little-endian 32-byte elements. */
const toElements = (values: readonly bigint[]): Uint8Array =>
  new Uint8Array(PackedFields.from(values).words.buffer);

/**
 * One QAP matrix times the witness, per constraint row, in Montgomery form: the stored coefficients carry R², so
 * each row's plain sum times R⁻¹ is the row's value times R. Sums are reduced once per row.
 */
function evaluate(m: Coefficients, w: readonly bigint[], key: ProvingKey, rInv: bigint): bigint[] {
  const acc = new Array<bigint>(key.domainSize).fill(0n);
  const { row, signal, value } = m;
  for (let i = 0; i < row.length; i++) {
    const x = w[signal[i] as number] as bigint;
    if (x !== 0n) {
      const k = row[i] as number;
      acc[k] = (acc[k] as bigint) + (value[i] as bigint) * x;
    }
  }
  for (let i = 0; i < acc.length; i++) {
    const v = acc[i] as bigint;
    if (v !== 0n) acc[i] = ((v % key.r) * rInv) % key.r;
  }
  return acc;
}

/**
 * The coefficients of h(x) = (A(x)·B(x) − C(x)) / Z(x) as the H multi-exponentiation takes them: A, B and C
 * evaluated on the domain, interpolated, re-evaluated on the odd coset, and joined point-wise (plain form).
 */
async function quotientScalars(curve: Curve, key: ProvingKey, w: readonly bigint[]): Promise<Uint8Array> {
  const rInv = radixInverse(key.r);
  const a = evaluate(key.a, w, key, rInv);
  const b = evaluate(key.b, w, key, rInv);
  const c = a.map((x, i) => (x === 0n ? 0n : (((x * (b[i] as bigint)) % key.r) * rInv) % key.r));
  const { Fr } = curve;
  const inc = key.power === Fr.s ? Fr.shift : (Fr.w[key.power + 1] as Uint8Array);
  const coset = async (values: bigint[]) =>
    Fr.fft(await Fr.batchApplyKey(await Fr.ifft(toElements(values)), Fr.one, inc));
  const [ao, bo, co] = await Promise.all([coset(a), coset(b), coset(c)]);
  const n = key.domainSize;
  const len = n * Fr.n8;
  const [h] = await curve.tm.queueAction([
    { cmd: "ALLOCSET", var: 0, buff: ao },
    { cmd: "ALLOCSET", var: 1, buff: bo },
    { cmd: "ALLOCSET", var: 2, buff: co },
    { cmd: "ALLOC", var: 3, len },
    {
      cmd: "CALL",
      fnName: "qap_joinABC",
      params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: n }, { var: 3 }],
    },
    { cmd: "CALL", fnName: "frm_batchFromMontgomery", params: [{ var: 3 }, { val: n }, { var: 3 }] },
    { cmd: "GET", out: 0, var: 3, len },
  ]);
  if (h === undefined) throw new Error("quotient: no result from the curve");
  return h;
}

/** A uniformly random scalar field element (Montgomery form); 128 extra bits make the reduction's bias negligible. */
function randomScalar(curve: Curve, r: bigint): Uint8Array {
  return curve.Fr.e(BigInt(`0x${randomBytes(48).toString("hex")}`) % r);
}

/** The witness elements of the signals `bases` uses, in its order. */
function scalarsFor(bases: Bases, witness: Uint8Array): Uint8Array {
  const out = new Uint8Array(bases.signals.length * 32);
  bases.signals.forEach((signal, k) => void out.set(witness.subarray(signal * 32, signal * 32 + 32), k * 32));
  return out;
}

const decimal = (p: (bigint | bigint[])[]): string[] => p.map((c) => String(c));

/**
 * A Groth16 proof over `key` for a full witness (`witness`: plain little-endian 32-byte elements, the constant 1
 * first, as circom's witness calculator writes them). The four witness multi-exponentiations start at once and
 * run on the curve's threads while this thread evaluates the QAP; the quotient's follows. The witness is not
 * checked against the constraints here: the calculator does that, and a witness that breaks them gives a proof
 * that does not verify.
 */
export async function proveGroth16(
  curve: Curve,
  key: ProvingKey,
  witness: Uint8Array,
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const n8 = curve.Fr.n8;
  if (witness.byteLength !== key.nVars * n8)
    throw new Error(`witness has ${witness.byteLength / n8} values, the circuit ${key.nVars}`);
  const { G1, G2, Fr } = curve;
  const msm = (group: "G1" | "G2", bases: Bases) =>
    multiExp(curve, group, bases.points, scalarsFor(bases, witness));
  const msmB2 = msm("G2", key.pointsB2);
  const msmA = msm("G1", key.pointsA);
  const msmB1 = msm("G1", key.pointsB1);
  const msmC = msm("G1", key.pointsC);
  const w = witnessValues(witness, key.nVars);
  const msmH = quotientScalars(curve, key, w).then((h) => multiExp(curve, "G1", key.pointsH, h));
  const [pa, pb1, pb2, pc, ph] = await Promise.all([msmA, msmB1, msmB2, msmC, msmH]);

  const r = randomScalar(curve, key.r);
  const s = randomScalar(curve, key.r);
  const piA = G1.add(G1.add(pa, key.alpha1), G1.timesFr(key.delta1, r));
  const piB = G2.add(G2.add(pb2, key.beta2), G2.timesFr(key.delta2, s));
  const b1 = G1.add(G1.add(pb1, key.beta1), G1.timesFr(key.delta1, s));
  let piC = G1.add(pc, ph);
  piC = G1.add(piC, G1.timesFr(piA, s));
  piC = G1.add(piC, G1.timesFr(b1, r));
  piC = G1.add(piC, G1.timesFr(key.delta1, Fr.sub(Fr.zero, Fr.mul(r, s))));

  return {
    proof: {
      pi_a: decimal(G1.toObject(G1.toAffine(piA))),
      pi_b: (G2.toObject(G2.toAffine(piB)) as bigint[][]).map(decimal),
      pi_c: decimal(G1.toObject(G1.toAffine(piC))),
    },
    publicSignals: w.slice(1, key.nPublic + 1).map((v) => v.toString()),
  };
}
