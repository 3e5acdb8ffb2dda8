import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../src/index.js";

describe("hex", () => {
  it("writes lower-case hex of exactly the view's bytes, and fromHex reads it back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(8), fc.nat(8), (bytes, a, b) => {
        const view = bytes.subarray(
          Math.min(a, bytes.length),
          Math.max(Math.min(a, bytes.length), bytes.length - b),
        );
        const hex = toHex(view);
        assert.match(hex, /^[0-9a-f]*$/);
        assert.equal(hex.length, 2 * view.length);
        assert.deepEqual(fromHex(hex), new Uint8Array(view));
      }),
    );
    assert.equal(toHex(new Uint8Array([0, 1, 0xab, 0xff])), "0001abff");
  });
});
