import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as lite from "poseidon-lite";
import { FIELD_ORDER } from "../../src/commitment/field.js";
import { poseidon, valuesDigest } from "../../src/commitment/poseidon.js";
import { isZkError } from "../../src/errors.js";

const reference = lite as unknown as Record<string, (xs: bigint[]) => bigint>;

describe("Poseidon", () => {
  it("matches the reference implementation for 1..16 inputs, edge values included", () => {
    let seed = 12345n;
    const next = (): bigint => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 256n);
      return seed % FIELD_ORDER;
    };
    for (let n = 1; n <= 16; n++) {
      for (const inputs of [
        Array.from({ length: n }, next),
        Array.from({ length: n }, () => 0n),
        Array.from({ length: n }, () => FIELD_ORDER - 1n),
      ]) {
        assert.equal(poseidon(inputs), reference[`poseidon${n}`]?.(inputs), `n = ${n}`);
      }
    }
  });

  it("refuses non-canonical inputs and bad arities", () => {
    assert.throws(
      () => poseidon([FIELD_ORDER]),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.throws(
      () => poseidon([-1n]),
      (e) => isZkError(e, "PUBLIC_INPUT_RANGE"),
    );
    assert.throws(
      () => poseidon([]),
      (e) => isZkError(e, "CAPACITY"),
    );
    assert.throws(
      () => poseidon(new Array<bigint>(17).fill(1n)),
      (e) => isZkError(e, "CAPACITY"),
    );
  });

  it("digests wide rows in chunks of 16", () => {
    const values = Array.from({ length: 20 }, (_, i) => BigInt(i));
    const chunks = [reference.poseidon16!(values.slice(0, 16)), reference.poseidon4!(values.slice(16))];
    assert.equal(valuesDigest(values), reference.poseidon2!(chunks));
    assert.equal(valuesDigest([]), 0n);
  });
});
