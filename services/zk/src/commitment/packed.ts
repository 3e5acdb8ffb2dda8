/** `length` items of `perItem` 64-bit words: `words` when given (its size checked), else a zeroed array. */
function wordsOf(what: string, length: number, perItem: number, words?: BigUint64Array): BigUint64Array {
  if (words !== undefined && words.length !== perItem * length) throw new RangeError(`${what}: word count`);
  return words ?? new BigUint64Array(perItem * length);
}

/** Values below 2^128 packed two 64-bit words each: a million rows of eight fields in 128 MB, not bigint arrays. */
export class PackedValues {
  /** The packed words, two per value (what moves when a commitment changes process). */
  readonly words: BigUint64Array;

  constructor(
    readonly length: number,
    words?: BigUint64Array,
  ) {
    this.words = wordsOf("packed values", length, 2, words);
  }

  set(i: number, v: bigint): void {
    this.words[2 * i] = v & 0xffffffffffffffffn;
    this.words[2 * i + 1] = v >> 64n;
  }

  get(i: number): bigint {
    return ((this.words[2 * i + 1] ?? 0n) << 64n) | (this.words[2 * i] ?? 0n);
  }
}

/** Field elements packed four 64-bit words each (32 bytes, against ~60 for a bigint in an array). */
export class PackedFields {
  /** The packed words, four per element (what moves when a commitment changes process). */
  readonly words: BigUint64Array;

  constructor(
    readonly length: number,
    words?: BigUint64Array,
  ) {
    this.words = wordsOf("packed fields", length, 4, words);
  }

  /** Packs a list of field elements. */
  static from(values: readonly bigint[]): PackedFields {
    const packed = new PackedFields(values.length);
    values.forEach((v, i) => {
      packed.set(i, v);
    });
    return packed;
  }

  set(i: number, v: bigint): void {
    const w = 4 * i;
    this.words[w] = v & 0xffffffffffffffffn;
    this.words[w + 1] = (v >> 64n) & 0xffffffffffffffffn;
    this.words[w + 2] = (v >> 128n) & 0xffffffffffffffffn;
    this.words[w + 3] = v >> 192n;
  }

  /** The element at i, or undefined outside 0..length-1. */
  at(i: number): bigint | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const w = 4 * i;
    const word = (k: number): bigint => this.words[w + k] ?? 0n;
    return (word(3) << 192n) | (word(2) << 128n) | (word(1) << 64n) | word(0);
  }
}
