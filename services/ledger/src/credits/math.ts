/** Integer helpers of the credit rules: exact, no floats (docs/spec/credits.md §1). */

/** Balances and supply totals are unsigned 64-bit integers. */
export const MAX_BALANCE = (1n << 64n) - 1n;

/** ⌊√n⌋ for n ≥ 0 (Newton's method on integers). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("isqrt of a negative number");
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Number of bits of n ≥ 0 (0 for 0): ⌊log₂ n⌋ + 1. */
export function bitLength(n: bigint): number {
  let bits = 0;
  let v = n;
  while (v > 0xffffffffn) {
    v >>= 32n;
    bits += 32;
  }
  return bits + (32 - Math.clz32(Number(v)));
}

/** ⌊a·b / c⌋ for c > 0. */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b) / c;
}

/** The burned part of one fee: ⌊price · bps / 10 000⌋; the provider's share is the rest. */
export function splitFee(price: bigint, bps: number): { burn: bigint; share: bigint } {
  const burn = (price * BigInt(bps)) / 10_000n;
  return { burn, share: price - burn };
}

export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
