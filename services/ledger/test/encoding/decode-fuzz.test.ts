import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBlock, decodeTx, EncodingError, encodeTx } from "../../src/index.js";
import { datasetPayload, Scenario } from "../fixtures.js";

function onlyEncodingErrors(decode: (b: Uint8Array) => unknown, b: Uint8Array): void {
  try {
    decode(b);
  } catch (e) {
    assert.ok(e instanceof EncodingError, `unexpected ${e}`);
  }
}

describe("decoding untrusted bytes", () => {
  const s = new Scenario();
  const valid = s.tx("sh.land-registry", "dataset.publish", datasetPayload("sh/property"));
  const block = s.block([valid]);

  it("tx and block decoders throw nothing but EncodingError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        onlyEncodingErrors(decodeTx, b);
        onlyEncodingErrors(decodeBlock, b);
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated, truncated or extended valid txs decode to the same canonical bytes or fail typed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: valid.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: valid.length }),
        (at, byte, cut) => {
          const mutated = valid.slice();
          mutated[at] = byte;
          for (const b of [mutated, valid.subarray(0, cut), new Uint8Array([...valid, byte])]) {
            try {
              assert.deepEqual(encodeTx(decodeTx(b)), b);
            } catch (e) {
              assert.ok(e instanceof EncodingError, `unexpected ${e}`);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
    assert.equal(block.txs.length, 1);
  });
});
