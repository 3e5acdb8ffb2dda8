import { randomBytes } from "node:crypto";
import type { Groth16ProofJson, PairingCurve, VerificationKeyJson } from "../setup/snark.js";

/**
 * A verification key in the curve's internal form, with everything that does not depend on the proof done once:
 * the IC points parsed, e(α, β) computed (not taken from the key file: `vk_alphabeta_12` is not covered by the
 * key's hash), and γ and δ prepared for the Miller loop.
 */
export interface PreparedKey {
  readonly nPublic: number;
  readonly ic: readonly Uint8Array[];
  readonly alphaBeta: Uint8Array;
  readonly gamma: Uint8Array;
  readonly delta: Uint8Array;
  /** α (affine) and β prepared: the batch check pairs (Σ rₖ)·α with β. */
  readonly alpha: Uint8Array;
  readonly beta: Uint8Array;
}

/** Decimal coordinates to bigints; undefined when one is not a decimal string. */
function coordinates(p: unknown): bigint[] | undefined {
  if (!Array.isArray(p)) return undefined;
  const out: bigint[] = [];
  for (const c of p) {
    if (typeof c !== "string" || !/^\d{1,80}$/.test(c)) return undefined;
    out.push(BigInt(c));
  }
  return out;
}

function g1Point(curve: PairingCurve, p: unknown): Uint8Array | undefined {
  const c = coordinates(p);
  return c === undefined || c.length < 2 || c.length > 3 ? undefined : curve.G1.fromObject(c);
}

function g2Point(curve: PairingCurve, p: unknown): Uint8Array | undefined {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3) return undefined;
  const c = p.map(coordinates);
  if (c.some((x) => x === undefined || x.length !== 2)) return undefined;
  return curve.G2.fromObject(c as bigint[][]);
}

/** A non-negative integer as little-endian bytes, as short as it goes (the scalar multiplication walks every bit). */
function scalarBytes(v: bigint): Uint8Array {
  const out: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) out.push(Number(x & 0xffn));
  return Uint8Array.from(out.length === 0 ? [0] : out);
}

const missing = (what: string): never => {
  throw new Error(`verification key: bad ${what}`);
};

/** Parses and precomputes a snarkjs Groth16 key over bn128; throws on a key that is not one. */
export function prepareKey(curve: PairingCurve, vk: VerificationKeyJson): PreparedKey {
  if (vk.protocol !== "groth16") missing("protocol");
  if (!Number.isInteger(vk.nPublic) || vk.nPublic < 0 || vk.IC?.length !== vk.nPublic + 1) missing("IC");
  const g1 = (p: unknown, what: string) => g1Point(curve, p) ?? missing(what);
  const g2 = (p: unknown, what: string) => g2Point(curve, p) ?? missing(what);
  const alpha = g1(vk.vk_alpha_1, "alpha");
  const beta = g2(vk.vk_beta_2, "beta");
  const betaPrepared = prepareG2(curve, beta);
  return {
    nPublic: vk.nPublic,
    ic: vk.IC.map((p, i) => g1(p, `IC[${i}]`)),
    alphaBeta: curve.finalExponentiation(millerLoop(curve, alpha, betaPrepared)),
    gamma: prepareG2(curve, g2(vk.vk_gamma_2, "gamma")),
    delta: prepareG2(curve, g2(vk.vk_delta_2, "delta")),
    alpha,
    beta: betaPrepared,
  };
}

const prepareG2 = (curve: PairingCurve, q: Uint8Array): Uint8Array => curve.prepareG2(curve.G2.toJacobian(q));

function millerLoop(curve: PairingCurve, p: Uint8Array, preparedQ: Uint8Array): Uint8Array {
  return curve.millerLoop(curve.prepareG1(curve.G1.toJacobian(p)), preparedQ);
}

/**
 * The Groth16 check e(A, B) = e(α, β) · e(L, γ) · e(C, δ), with L = IC₀ + Σ sᵢ·ICᵢ₊₁, as three Miller loops, one
 * final exponentiation and a comparison with the key's cached e(α, β). Same acceptance as snarkjs'
 * `groth16.verify` (public signals below the group order, proof points on their curves), and stricter in one
 * respect: B must also lie in the order-r subgroup of the twist (bn128's G1 has cofactor 1, so on-curve suffices
 * for A and C), which snarkjs does not check. Runs synchronously on the calling thread.
 */
export function verifyGroth16(
  curve: PairingCurve,
  key: PreparedKey,
  publicSignals: readonly string[],
  proof: Groth16ProofJson,
): boolean {
  const parts = checkedParts(curve, key, publicSignals, proof);
  if (parts === undefined) return false;
  const { signals, a, b, c } = parts;
  const { G1 } = curve;
  let l = key.ic[0] as Uint8Array;
  for (const [i, s] of signals.entries()) {
    if (s !== 0n) l = G1.add(l, G1.timesScalar(key.ic[i + 1] as Uint8Array, scalarBytes(s)));
  }
  const ab = millerLoop(curve, a, prepareG2(curve, b));
  const lg = millerLoop(curve, G1.neg(l), key.gamma);
  const cd = millerLoop(curve, G1.neg(c), key.delta);
  return curve.Gt.eq(curve.finalExponentiation(curve.Gt.mul(curve.Gt.mul(ab, lg), cd)), key.alphaBeta);
}

/**
 * A proof's signals (each below r) and points (on their curves, B in the order-r subgroup), parsed; undefined when
 * one check fails. Both the single and the batch check start here.
 */
function checkedParts(
  curve: PairingCurve,
  key: PreparedKey,
  publicSignals: readonly string[],
  proof: Groth16ProofJson,
): { signals: bigint[]; a: Uint8Array; b: Uint8Array; c: Uint8Array } | undefined {
  if (publicSignals.length !== key.nPublic) return undefined;
  const signals = coordinates(publicSignals);
  if (signals === undefined || signals.some((s) => s >= curve.r)) return undefined;
  const a = g1Point(curve, proof.pi_a);
  const b = g2Point(curve, proof.pi_b);
  const c = g1Point(curve, proof.pi_c);
  if (a === undefined || b === undefined || c === undefined) return undefined;
  const { G1, G2 } = curve;
  if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(c)) return undefined;
  if (!G2.isZero(G2.timesScalar(b, scalarBytes(curve.r)))) return undefined;
  return { signals, a, b, c };
}

/**
 * Many proofs under one key checked at once (small-exponent batching). With independent uniform 128-bit weights
 * rₖ from the operating system, the k equations e(Aₖ, Bₖ) = e(α, β)·e(Lₖ, γ)·e(Cₖ, δ) are raised to rₖ and
 * multiplied:
 *   Π e(rₖ·Aₖ, Bₖ) · e(−(Σ rₖ)·α, β) · e(−Σ rₖ·Lₖ, γ) · e(−Σ rₖ·Cₖ, δ) = 1,
 * with Σ rₖ·Lₖ = (Σ rₖ)·IC₀ + Σᵢ (Σₖ rₖ·sₖᵢ)·ICᵢ₊₁ computed in the scalar field. If any single equation fails,
 * the product is 1 for at most one value of the failing proof's weight given the others (the target group has
 * prime order r), so a batch with a false proof passes with probability at most 2^−128. Every proof gets the
 * checks `verifyGroth16` makes (signals below r, points on their curves, B in the subgroup), so the batch accepts
 * exactly when each proof would, except with that probability: k + 3 Miller loops and one final exponentiation
 * instead of 3k and k, and one multi-scalar sum over the key's IC points instead of k. Returns false when the
 * batch does not hold (the caller checks the proofs one by one to find which).
 */
export function verifyGroth16Batch(
  curve: PairingCurve,
  key: PreparedKey,
  items: readonly { publicSignals: readonly string[]; proof: Groth16ProofJson }[],
): boolean {
  if (items.length === 0) return true;
  const { G1, Gt } = curve;
  const sums = new Array<bigint>(key.nPublic).fill(0n);
  let weights = 0n;
  let acc = Gt.one;
  let cSum: Uint8Array | undefined;
  for (const item of items) {
    const parts = checkedParts(curve, key, item.publicSignals, item.proof);
    if (parts === undefined) return false;
    const r = BigInt(`0x${randomBytes(16).toString("hex")}`) | 1n;
    const rBytes = scalarBytes(r);
    weights += r;
    for (const [i, s] of parts.signals.entries()) sums[i] = ((sums[i] as bigint) + r * s) % curve.r;
    acc = Gt.mul(acc, millerLoop(curve, G1.timesScalar(parts.a, rBytes), prepareG2(curve, parts.b)));
    const rc = G1.timesScalar(parts.c, rBytes);
    cSum = cSum === undefined ? rc : G1.add(cSum, rc);
  }
  weights %= curve.r;
  let l = G1.timesScalar(key.ic[0] as Uint8Array, scalarBytes(weights));
  for (const [i, s] of sums.entries()) {
    if (s !== 0n) l = G1.add(l, G1.timesScalar(key.ic[i + 1] as Uint8Array, scalarBytes(s)));
  }
  acc = Gt.mul(acc, millerLoop(curve, G1.neg(G1.timesScalar(key.alpha, scalarBytes(weights))), key.beta));
  acc = Gt.mul(acc, millerLoop(curve, G1.neg(l), key.gamma));
  acc = Gt.mul(acc, millerLoop(curve, G1.neg(cSum as Uint8Array), key.delta));
  return Gt.eq(curve.finalExponentiation(acc), Gt.one);
}
