/**
 * A set of hashes held by their first 128 bits, in one typed array (open addressing, linear probing): the
 * duplicate window keeps a receipt id and a request hash for every receipt of the last `receiptMaxAgeMs`, and as
 * strings in a JS Set those cost about 250 bytes per receipt; this costs 16 bytes per hash over a table at most
 * three quarters full. 128 bits keep two distinct hashes apart by chance with probability 2^-128 per pair, and
 * finding a second input that matches a given one takes about 2^128 hash evaluations.
 */

const WORDS = 4; // 4 × 32 bits per key
const MIN_SLOTS = 16;

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  throw new RangeError("not a hex digit");
}

/** Words of the key for a hex hash (at least 32 hex digits: the first 32 are the key). */
function keyOf(hex: string, out: Uint32Array): void {
  if (hex.length < 8 * WORDS) throw new RangeError("a fingerprint needs a hash of at least 16 bytes");
  for (let w = 0; w < WORDS; w++) {
    let v = 0;
    for (let i = 0; i < 8; i++) v = (v << 4) | nibble(hex.charCodeAt(8 * w + i));
    out[w] = v >>> 0;
  }
}

export class FingerprintSet {
  private table: Uint32Array;
  private count = 0;
  // The all-zero key marks an empty slot, so a hash whose first 128 bits are zero is held apart.
  private hasZero = false;
  private readonly key = new Uint32Array(WORDS);

  constructor(expected = 0) {
    let slots = MIN_SLOTS;
    while (slots * 3 < expected * 4) slots *= 2;
    this.table = new Uint32Array(slots * WORDS);
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Bytes the table holds (for memory accounting). */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Whether a hash with the same first 128 bits was added. */
  has(hex: string): boolean {
    keyOf(hex, this.key);
    if (this.isZero()) return this.hasZero;
    return this.find(this.table, this.key) >= 0;
  }

  add(hex: string): void {
    keyOf(hex, this.key);
    if (this.isZero()) {
      this.hasZero = true;
      return;
    }
    if (this.find(this.table, this.key) >= 0) return;
    if ((this.count + 1) * 4 > (this.table.length / WORDS) * 3) this.grow();
    this.insert(this.table, this.key);
    this.count++;
  }

  private isZero(): boolean {
    const k = this.key;
    return ((k[0] as number) | (k[1] as number) | (k[2] as number) | (k[3] as number)) === 0;
  }

  /** The slot holding `key`, or -1. */
  private find(table: Uint32Array, key: Uint32Array): number {
    const mask = table.length / WORDS - 1;
    // The keys are hash outputs: their first word is already uniform.
    for (let slot = (key[0] as number) & mask; ; slot = (slot + 1) & mask) {
      const o = slot * WORDS;
      const w0 = table[o] as number;
      const w1 = table[o + 1] as number;
      const w2 = table[o + 2] as number;
      const w3 = table[o + 3] as number;
      if ((w0 | w1 | w2 | w3) === 0) return -1;
      if (w0 === key[0] && w1 === key[1] && w2 === key[2] && w3 === key[3]) return slot;
    }
  }

  private insert(table: Uint32Array, key: Uint32Array): void {
    const mask = table.length / WORDS - 1;
    let slot = (key[0] as number) & mask;
    while (
      ((table[slot * WORDS] as number) |
        (table[slot * WORDS + 1] as number) |
        (table[slot * WORDS + 2] as number) |
        (table[slot * WORDS + 3] as number)) !==
      0
    )
      slot = (slot + 1) & mask;
    table.set(key, slot * WORDS);
  }

  private grow(): void {
    const old = this.table;
    const next = new Uint32Array(old.length * 2);
    const key = new Uint32Array(WORDS);
    for (let o = 0; o < old.length; o += WORDS) {
      if (
        ((old[o] as number) | (old[o + 1] as number) | (old[o + 2] as number) | (old[o + 3] as number)) ===
        0
      )
        continue;
      key.set(old.subarray(o, o + WORDS));
      this.insert(next, key);
    }
    this.table = next;
  }
}
