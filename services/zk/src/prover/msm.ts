import type { Curve } from "../setup/snark.js";

/** Scalars are field elements below 2^254. */
const SCALAR_BITS = 254;

/** Bucket window width for n points: about ¾·log2(n) bits balances bucket filling against bucket summing. */
export function windowBits(n: number): number {
  return Math.max(1, Math.min(16, Math.round(Math.log2(Math.max(2, n)) * 0.75)));
}

/**
 * Σ scalar_i × base_i (bases affine, scalars plain little-endian 32-byte elements) on the curve's threads: the
 * scalars are cut into windows of `windowBits(n)` bits, each window is a bucket sum computed by the curve's
 * WebAssembly, and the windows are spread over `parts` tasks so that each task copies the bases into its thread
 * once rather than once per window. The windows are then combined here by doubling and adding. Jacobian result.
 */
export async function multiExp(
  curve: Curve,
  group: "G1" | "G2",
  bases: Uint8Array,
  scalars: Uint8Array,
  parts = curve.tm.concurrency,
): Promise<Uint8Array> {
  const G = curve[group];
  const affine = G.F.n8 * 2;
  const jacobian = G.F.n8 * 3;
  const n = bases.byteLength / affine;
  if (!Number.isInteger(n) || scalars.byteLength !== n * 32)
    throw new Error(`multiExp: ${n} bases for ${scalars.byteLength / 32} scalars`);
  if (n === 0) return G.zero;
  const c = windowBits(n);
  const windows = Math.ceil(SCALAR_BITS / c);
  const fnName = group === "G1" ? "g1m_multiexpAffine_chunk" : "g2m_multiexpAffine_chunk";
  const groups = Array.from({ length: Math.max(1, Math.min(parts, windows)) }, () => [] as number[]);
  for (let w = 0; w < windows; w++) groups[w % groups.length]?.push(w);
  const results = await Promise.all(
    groups.map(async (ws) => {
      const [out] = await curve.tm.queueAction([
        { cmd: "ALLOCSET", var: 0, buff: bases },
        { cmd: "ALLOCSET", var: 1, buff: scalars },
        { cmd: "ALLOC", var: 2, len: ws.length * jacobian },
        ...ws.map((w, j) => ({
          cmd: "CALL",
          fnName,
          params: [
            { var: 0 },
            { var: 1 },
            { val: 32 },
            { val: n },
            { val: w * c },
            { val: Math.min(SCALAR_BITS - w * c, c) },
            { var: 2, offset: j * jacobian },
          ],
        })),
        { cmd: "GET", out: 0, var: 2, len: ws.length * jacobian },
      ]);
      if (out === undefined) throw new Error("multiExp: no result from the curve");
      return ws.map((w, j) => [w, out.subarray(j * jacobian, (j + 1) * jacobian)] as const);
    }),
  );
  const byWindow = new Array<Uint8Array>(windows);
  for (const part of results) for (const [w, point] of part) byWindow[w] = point.slice();
  let sum = G.zero;
  for (let w = windows - 1; w >= 0; w--) {
    if (w !== windows - 1) for (let d = 0; d < c; d++) sum = G.double(sum);
    sum = G.add(sum, byWindow[w] as Uint8Array);
  }
  return sum;
}
