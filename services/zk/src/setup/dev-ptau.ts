import { createHash } from "node:crypto";
import { createBinFile } from "./bin-file.js";
import { type Progress, silent, timed } from "./progress.js";
import type { Curve, Field } from "./snark.js";

/**
 * DEV ONLY. Writes a phase-2-ready powers-of-tau file (what `snarkjs powersoftau prepare phase2` outputs) directly
 * from known secrets τ, α, β. Whoever knows them can forge proofs, so such a file must never back a production
 * key. Instead of FFTs over curve points, each Lagrange point L_j(τ)·G is one scalar multiplication of the
 * generator, which is why this takes a minute where `prepare phase2` takes a quarter of an hour at 2^14.
 *
 * Layout (ptau version 1, all points affine, coordinates little-endian in Montgomery form):
 *   1 header: n8, q, power, ceremony power     2 τ^i·G1, i < 2^(p+1)−1      3 τ^i·G2, i < 2^p
 *   4 ατ^i·G1, i < 2^p     5 βτ^i·G1, i < 2^p     6 β·G2     7 contributions (none)
 *   12..15 for each domain size 2^k, k = 0..p (and k = p+1 for 12): L_j(τ) times G1, G2, α·G1, β·G1,
 *   where L_j is the j-th Lagrange basis polynomial over the 2^k-th roots of unity ω^j (ω = Fr.w[k]).
 * For k = p+1 snarkjs transforms only 2^(p+1)−1 powers (the last is zero), so that point carries
 * L_j(τ) − (ω^j/2^k)·τ^(2^k−1), the Lagrange value minus the missing top coefficient.
 */
export interface DevSecrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
}

/** Derives the dev secrets from a seed (a fixed seed gives a reproducible file, for tests). */
export function devSecrets(seed: Uint8Array, r: bigint): DevSecrets {
  const pick = (label: string): bigint => {
    const h = createHash("sha512").update("coken/zk/dev-ptau/").update(label).update(seed).digest("hex");
    return (BigInt(`0x${h}`) % (r - 2n)) + 2n;
  };
  return { tau: pick("tau"), alpha: pick("alpha"), beta: pick("beta") };
}

const CHUNK = 2048;
const WINDOWS = 32;
const DIGITS = 255;
const COMB_FROM = 1024;

/** Multiplies the generator of G1 or G2 by each scalar (Montgomery Fr bytes) with plain double-and-add. */
async function generatorTimesPlain(
  curve: Curve,
  group: "G1" | "G2",
  scalars: Uint8Array[],
): Promise<Uint8Array> {
  const g = curve[group];
  const n8 = g.F.n8;
  const prefix = group === "G1" ? "g1m" : "g2m";
  const fr = curve.Fr.n8;
  const out = new Uint8Array(scalars.length * n8 * 2);
  const jobs: Promise<void>[] = [];
  for (let start = 0; start < scalars.length; start += CHUNK) {
    const n = Math.min(CHUNK, scalars.length - start);
    const packed = new Uint8Array(n * fr);
    for (let i = 0; i < n; i++) packed.set(scalars[start + i] as Uint8Array, i * fr);
    const task: unknown[] = [
      { cmd: "ALLOCSET", var: 0, buff: g.oneAffine },
      { cmd: "ALLOCSET", var: 1, buff: packed },
      { cmd: "ALLOC", var: 2, len: n * n8 * 3 },
    ];
    for (let i = 0; i < n; i++) {
      task.push({
        cmd: "CALL",
        fnName: `${prefix}_timesFrAffine`,
        params: [{ var: 0 }, { var: 1, offset: i * fr }, { var: 2, offset: i * n8 * 3 }],
      });
    }
    task.push({
      cmd: "CALL",
      fnName: `${prefix}_batchToAffine`,
      params: [{ var: 2 }, { val: n }, { var: 2 }],
    });
    task.push({ cmd: "GET", out: 0, var: 2, len: n * n8 * 2 });
    jobs.push(
      curve.tm.queueAction(task).then((res) => {
        out.set(res[0] as Uint8Array, start * n8 * 2);
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}

/** d·256^k·G for k < 32, 1 ≤ d ≤ 255, affine: the table of the fixed-base comb below. */
async function combTable(curve: Curve, group: "G1" | "G2"): Promise<Uint8Array> {
  const Fr = curve.Fr;
  const scalars: Uint8Array[] = [];
  for (let k = 0; k < WINDOWS; k++) {
    const base = 256n ** BigInt(k);
    for (let d = 1; d <= DIGITS; d++) scalars.push(Fr.e((BigInt(d) * base) % curve.r));
  }
  return generatorTimesPlain(curve, group, scalars);
}

/**
 * Fixed-base multiplication of the generator by many scalars: each scalar's 32 bytes pick one table point per
 * byte, so a product costs at most 32 mixed additions instead of ~380 doublings and additions.
 */
async function generatorTimes(
  curve: Curve,
  group: "G1" | "G2",
  scalars: Uint8Array[],
  table: Uint8Array,
): Promise<Uint8Array> {
  const n8 = curve[group].F.n8;
  const prefix = group === "G1" ? "g1m" : "g2m";
  const affine = n8 * 2;
  const jac = n8 * 3;
  const out = new Uint8Array(scalars.length * affine);
  const jobs: Promise<void>[] = [];
  for (let start = 0; start < scalars.length; start += CHUNK) {
    const n = Math.min(CHUNK, scalars.length - start);
    const task: unknown[] = [
      { cmd: "ALLOCSET", var: 0, buff: table },
      { cmd: "ALLOC", var: 1, len: n * jac },
      { cmd: "ALLOC", var: 2, len: jac },
    ];
    for (let i = 0; i < n; i++) {
      const digits = curve.Fr.fromMontgomery(scalars[start + i] as Uint8Array);
      const acc = { var: 1, offset: i * jac };
      const tmp = { var: 2 };
      task.push({ cmd: "CALL", fnName: `${prefix}_zero`, params: [acc] });
      for (let k = 0; k < WINDOWS; k++) {
        const d = digits[k] ?? 0;
        if (d === 0) continue;
        const entry = { var: 0, offset: (k * DIGITS + d - 1) * affine };
        // Results never alias their inputs: add into the scratch point, then copy back.
        task.push({ cmd: "CALL", fnName: `${prefix}_addMixed`, params: [acc, entry, tmp] });
        task.push({ cmd: "CALL", fnName: `${prefix}_copy`, params: [tmp, acc] });
      }
    }
    task.push({
      cmd: "CALL",
      fnName: `${prefix}_batchToAffine`,
      params: [{ var: 1 }, { val: n }, { var: 1 }],
    });
    task.push({ cmd: "GET", out: 0, var: 1, len: n * affine });
    jobs.push(
      curve.tm.queueAction(task).then((res) => {
        out.set(res[0] as Uint8Array, start * affine);
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}

function powers(Fr: Field, base: Uint8Array, count: number, first: Uint8Array = Fr.one): Uint8Array[] {
  const list: Uint8Array[] = new Array(count);
  let acc = first;
  for (let i = 0; i < count; i++) {
    list[i] = acc;
    acc = Fr.mul(acc, base);
  }
  return list;
}

/** Inverts every element with one field inversion (Montgomery's trick). */
function batchInverse(Fr: Field, xs: Uint8Array[]): Uint8Array[] {
  const prefix: Uint8Array[] = new Array(xs.length);
  let acc = Fr.one;
  for (let i = 0; i < xs.length; i++) {
    prefix[i] = acc;
    acc = Fr.mul(acc, xs[i] as Uint8Array);
  }
  let inv = Fr.inv(acc);
  const out: Uint8Array[] = new Array(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = Fr.mul(inv, prefix[i] as Uint8Array);
    inv = Fr.mul(inv, xs[i] as Uint8Array);
  }
  return out;
}

/**
 * L_j(τ) for the 2^k-th roots of unity: (τ^n − 1) / (n·(τ·ω^−j − 1)), the value the inverse FFT of (τ^i) yields;
 * with `truncated`, minus the coefficient the missing last power would have brought.
 */
export function lagrangeAt(Fr: Field, tau: Uint8Array, k: number, truncated = false): Uint8Array[] {
  const n = 2 ** k;
  const w = Fr.w[k] as Uint8Array;
  const wInv = Fr.inv(w);
  const nInv = Fr.inv(Fr.e(n));
  const c = Fr.mul(Fr.sub(Fr.exp(tau, n), Fr.one), nInv);
  const denominators = powers(Fr, wInv, n, tau).map((x) => Fr.sub(x, Fr.one));
  const values = batchInverse(Fr, denominators).map((d) => Fr.mul(c, d));
  if (!truncated) return values;
  const top = Fr.mul(Fr.exp(tau, n - 1), nInv);
  return powers(Fr, w, n, top).map((t, j) => Fr.sub(values[j] as Uint8Array, t));
}

/** Writes a dev ptau of the given power to `path`: prepared for phase 2 unless `prepared` is false (tests). */
export async function writeDevPtau(
  curve: Curve,
  power: number,
  secrets: DevSecrets,
  path: string,
  progress: Progress = silent,
  prepared = true,
): Promise<void> {
  const Fr = curve.Fr;
  const tau = Fr.e(secrets.tau);
  const alpha = Fr.e(secrets.alpha);
  const beta = Fr.e(secrets.beta);
  const n = 2 ** power;
  const scale = (xs: Uint8Array[], f: Uint8Array) => xs.map((x) => Fr.mul(x, f));
  // The comb's table costs 8160 plain products per group: worth it only for long lists.
  const tables: Partial<Record<"G1" | "G2", Promise<Uint8Array>>> = {};
  const times = async (group: "G1" | "G2", xs: Uint8Array[]) => {
    if (xs.length < COMB_FROM) return generatorTimesPlain(curve, group, xs);
    tables[group] ??= combTable(curve, group);
    return generatorTimes(curve, group, xs, await tables[group]);
  };
  const file = await createBinFile(path, "ptau", 1, prepared ? 11 : 7);
  const header = Buffer.alloc(4 + 32 + 8);
  header.writeUInt32LE(32, 0);
  let q = curve.q;
  for (let i = 0; i < 32; i++, q >>= 8n) header[4 + i] = Number(q & 0xffn);
  header.writeUInt32LE(power, 36);
  header.writeUInt32LE(power, 40);
  await file.section(1, (put) => put(header));
  const tauPowers = powers(Fr, tau, 2 * n - 1);
  const low = tauPowers.slice(0, n);
  await timed(progress, `dev ptau 2^${power}: powers of τ`, async () => {
    await file.section(2, async (put) => put(await times("G1", tauPowers)));
    await file.section(3, async (put) => put(await times("G2", low)));
    await file.section(4, async (put) => put(await times("G1", scale(low, alpha))));
    await file.section(5, async (put) => put(await times("G1", scale(low, beta))));
    await file.section(6, async (put) => put(await times("G2", [beta])));
    await file.section(7, (put) => put(new Uint8Array(4)));
  });
  const lagrange = (k: number, truncated = false) => lagrangeAt(Fr, tau, k, truncated);
  const levels = Array.from({ length: power + 1 }, (_, k) => k);
  const sections: [number, "G1" | "G2", Uint8Array | null, boolean][] = [
    [12, "G1", null, true],
    [13, "G2", null, false],
    [14, "G1", alpha, false],
    [15, "G1", beta, false],
  ];
  for (const [id, group, factor, withTop] of prepared ? sections : []) {
    await timed(progress, `dev ptau 2^${power}: Lagrange section ${id}`, () =>
      file.section(id, async (put) => {
        for (const k of levels) {
          const ls = lagrange(k);
          await put(await times(group, factor === null ? ls : scale(ls, factor)));
        }
        if (withTop) await put(await times(group, lagrange(power + 1, true)));
      }),
    );
  }
  await file.close();
}
