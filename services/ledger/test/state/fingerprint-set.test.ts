import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/index.js";
import { FingerprintSet } from "../../src/state/fingerprint-set.js";

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);

describe("fingerprint set (the duplicate window's hashes)", () => {
  it("holds exactly what was added, as a Set of the same hashes does, through growth", () => {
    fc.assert(
      fc.property(fc.array(hash, { maxLength: 300 }), fc.array(hash, { maxLength: 50 }), (added, probes) => {
        const set = new FingerprintSet();
        const model = new Set<string>();
        for (const h of added) {
          set.add(h);
          model.add(h);
        }
        assert.equal(set.size, model.size);
        for (const h of [...added, ...probes]) assert.equal(set.has(h), model.has(h), h);
      }),
      { numRuns: 50 },
    );
  });

  it("keys by the first 128 bits, holds the all-zero key apart, reads either case of hex", () => {
    const set = new FingerprintSet();
    const zero = "0".repeat(64);
    const a = `${"ab".repeat(16)}${"00".repeat(16)}`;
    assert.equal(set.has(zero), false);
    set.add(zero);
    set.add(a);
    assert.equal(set.has(zero), true);
    assert.equal(set.has(a.toUpperCase()), true);
    // Same first 16 bytes: the same key.
    assert.equal(set.has(`${"ab".repeat(16)}${"ff".repeat(16)}`), true);
    assert.equal(set.size, 2);
    assert.throws(() => set.add("abc"), RangeError);
    assert.throws(() => set.has("zz".repeat(32)), RangeError);
  });

  it("costs a table of 16 bytes per slot, at most three quarters full", () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 10_000; i++)
      set.add(toHex(new Uint8Array(32).map((_, j) => (i * 7919 + j * 31) >> (j % 3))));
    assert.ok(set.bytes >= (16 * set.size * 4) / 3, String(set.bytes));
    assert.ok(set.bytes <= 16 * set.size * 4, String(set.bytes));
  });
});
