import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type CborValue, decodeCbor, EncodingError, encodeCbor, fromHex, toHex } from "../../src/index.js";

const hex = (v: CborValue) => toHex(encodeCbor(v));
const bytes = (h: string) => fromHex(h) as Uint8Array;

function codeOf(h: string): string {
  try {
    decodeCbor(bytes(h));
    return "ok";
  } catch (e) {
    assert.ok(e instanceof EncodingError, `expected EncodingError, got ${e}`);
    return e.code;
  }
}

// Values the profile can hold, normalised as the decoder returns them (safe integers as numbers).
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: (1n << 64n) - 1n }),
    fc.bigInt({ min: -(1n << 64n), max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 5 }).map((d) => {
      const m = Object.create(null);
      for (const [k, v] of Object.entries(d)) m[k] = v;
      return m;
    }),
  ),
})).value;

describe("canonical CBOR", () => {
  it("matches RFC 8949 Appendix A for the profile's types", () => {
    assert.equal(hex(0), "00");
    assert.equal(hex(23), "17");
    assert.equal(hex(24), "1818");
    assert.equal(hex(1000), "1903e8");
    assert.equal(hex(1000000), "1a000f4240");
    assert.equal(hex(1000000000000), "1b000000e8d4a51000");
    assert.equal(hex(18446744073709551615n), "1bffffffffffffffff");
    assert.equal(hex(-1), "20");
    assert.equal(hex(-1000), "3903e7");
    assert.equal(hex(-18446744073709551616n), "3bffffffffffffffff");
    assert.equal(hex(false), "f4");
    assert.equal(hex(true), "f5");
    assert.equal(hex(null), "f6");
    assert.equal(hex(new Uint8Array([1, 2, 3, 4])), "4401020304");
    assert.equal(hex("IETF"), "6449455446");
    assert.equal(hex("水"), "63e6b0b4");
    assert.equal(hex([1, [2, 3], [4, 5]]), "8301820203820405");
    assert.equal(hex({ a: 1, b: [2, 3] }), "a26161016162820203");
  });

  it("sorts map keys by encoded length first, then bytewise", () => {
    assert.equal(hex({ bb: 1, a: 2, c: 3 }), "a361610261630362626201");
    assert.equal(hex({ b: 1, a: 2, skip: undefined as unknown as CborValue }), "a2616102616201");
  });

  it("refuses every non-canonical or unsupported form with a typed code", () => {
    assert.equal(codeOf("1817"), "NON_CANONICAL"); // 23 in two bytes
    assert.equal(codeOf("190017"), "NON_CANONICAL");
    assert.equal(codeOf("a2616201616102"), "NON_CANONICAL"); // keys b, a
    assert.equal(codeOf("a2616101616102"), "NON_CANONICAL"); // repeated key
    assert.equal(codeOf("a1016101"), "UNSUPPORTED"); // integer key
    assert.equal(codeOf("c11a514b67b0"), "UNSUPPORTED"); // tag
    assert.equal(codeOf("f93c00"), "UNSUPPORTED"); // half float
    assert.equal(codeOf("f7"), "UNSUPPORTED"); // undefined
    assert.equal(codeOf("9fff"), "UNSUPPORTED"); // indefinite array
    assert.equal(codeOf("62c328"), "INVALID_UTF8");
    assert.equal(codeOf("0000"), "TRAILING_BYTES");
    assert.equal(codeOf("1a0000"), "TRUNCATED");
    assert.equal(codeOf("5bffffffffffffffff"), "TRUNCATED"); // absurd length, no allocation
    assert.equal(codeOf(""), "TRUNCATED");
    assert.equal(codeOf(`${"81".repeat(40)}00`), "TOO_DEEP");
  });

  it("round-trips every value of the profile", () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        const encoded = encodeCbor(v);
        assert.deepEqual(decodeCbor(encoded), v);
        assert.deepEqual(encodeCbor(decodeCbor(encoded)), encoded);
      }),
      { numRuns: 500 },
    );
  });

  it("decoding arbitrary bytes only ever throws EncodingError, and accepted bytes are canonical", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          const v = decodeCbor(b);
          assert.deepEqual(encodeCbor(v), b);
        } catch (e) {
          assert.ok(e instanceof EncodingError, String(e));
        }
      }),
      { numRuns: 5000 },
    );
  });
});
