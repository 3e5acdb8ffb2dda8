/** Values below 2^128 packed two 64-bit words each: a million rows of eight fields in 128 MB, not bigint arrays. */
export class PackedValues {
  private readonly words: BigUint64Array;

  constructor(readonly length: number) {
    this.words = new BigUint64Array(2 * length);
  }

  set(i: number, v: bigint): void {
    this.words[2 * i] = v & 0xffffffffffffffffn;
    this.words[2 * i + 1] = v >> 64n;
  }

  get(i: number): bigint {
    return ((this.words[2 * i + 1] ?? 0n) << 64n) | (this.words[2 * i] ?? 0n);
  }
}
