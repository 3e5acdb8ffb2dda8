import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DECIMAL_SCALE,
  decodeSum,
  encodeValue,
  keyElement,
  NUMERIC_OFFSET,
  ORDER_HIGH,
} from "../../src/commitment/encode.js";
import {
  bytes32ToField,
  FIELD_ORDER,
  fieldToBytes32,
  parseFieldElement,
} from "../../src/commitment/field.js";
import { isZkError } from "../../src/errors.js";

describe("field encodings", () => {
  it("encode numbers as offset 64-bit integers, keeping their order", () => {
    assert.equal(encodeValue("int", 0), NUMERIC_OFFSET);
    assert.equal(encodeValue("int", "-5"), NUMERIC_OFFSET - 5n);
    assert.equal(encodeValue("int", -5), encodeValue("int", "-5"));
    assert.equal(encodeValue("decimal", "12.5"), NUMERIC_OFFSET + 12_500_000n);
    assert.equal(encodeValue("decimal", 12.5), encodeValue("decimal", "12.50"));
    assert.equal(DECIMAL_SCALE, 6);
    assert.equal(encodeValue("date", "1970-01-02"), NUMERIC_OFFSET + 1n);
    assert.equal(encodeValue("date", "1969-12-31"), NUMERIC_OFFSET - 1n);
    assert.equal(encodeValue("bool", true), 1n);
    assert.ok(encodeValue("int", "9223372036854775807") < 1n << 64n);
    assert.ok(encodeValue("decimal", "-3.25") < encodeValue("decimal", "-3.2"));
  });

  it("hash strings, bytes and keys into 128 bits, keys shifted off the sentinels", () => {
    const s = encodeValue("string", "alice");
    assert.ok(s < 1n << 128n);
    assert.notEqual(s, encodeValue("string", "alice "));
    assert.equal(encodeValue("bytes", "0x0102"), encodeValue("bytes", new Uint8Array([1, 2])));
    const k = keyElement("alice");
    assert.ok(k > 0n && k < ORDER_HIGH);
    assert.notEqual(k, s + 1n, "keys and string values are separate hash domains");
  });

  it("refuse values their type cannot hold", () => {
    const bad: [Parameters<typeof encodeValue>[0], unknown][] = [
      ["int", 1.5],
      ["int", "9223372036854775808"],
      ["int", "1e3"],
      ["decimal", "1.0000001"],
      ["decimal", "abc"],
      ["date", "2024-02-30"],
      ["date", "2024-2-3"],
      ["bool", "true"],
      ["string", 5],
      ["bytes", "0x123"],
    ];
    for (const [type, v] of bad) {
      assert.throws(
        () => encodeValue(type, v as never),
        (e) => isZkError(e, "FIELD_ENCODING"),
        `${type} ${v}`,
      );
    }
    assert.throws(
      () => keyElement(""),
      (e) => isZkError(e, "FIELD_ENCODING"),
    );
  });

  it("decode sums of encoded values", () => {
    const enc = encodeValue("decimal", "1.5") + encodeValue("decimal", "-3.25");
    assert.equal(decodeSum("decimal", enc, 2), "-1.75");
    assert.equal(decodeSum("int", encodeValue("int", 7) + encodeValue("int", 8), 2), "15");
    assert.equal(decodeSum("bool", 3n, 5), "3");
    assert.throws(
      () => decodeSum("string", 1n, 1),
      (e) => isZkError(e, "UNSUPPORTED_QUERY"),
    );
  });

  it("keep public values canonical field elements", () => {
    assert.equal(bytes32ToField(fieldToBytes32(FIELD_ORDER - 1n)), FIELD_ORDER - 1n);
    assert.throws(
      () => fieldToBytes32(FIELD_ORDER),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    const over = new Uint8Array(32).fill(0xff);
    assert.throws(
      () => bytes32ToField(over),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.throws(
      () => parseFieldElement(FIELD_ORDER.toString(), "x"),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.throws(
      () => parseFieldElement("01", "x"),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.equal(parseFieldElement("42", "x"), 42n);
  });
});
