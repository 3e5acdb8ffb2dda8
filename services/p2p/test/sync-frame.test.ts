import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeRequest,
  decodeResponse,
  encodeError,
  encodeOk,
  FRAME_REMOTE_ERROR,
  FRAME_TOO_LARGE,
  lengthPrefixed,
  MAX_REASON_BYTES,
} from "../src/sync-frame.js";

describe("sync frames", () => {
  it("round-trips requests and responses", () => {
    const payload = Uint8Array.from([1, 2, 3]);
    assert.deepEqual(decodeRequest(encodeOk(payload)), payload);
    assert.deepEqual(decodeResponse(encodeOk(payload)), { kind: "ok", payload });
    assert.deepEqual(decodeResponse(encodeOk(new Uint8Array())), { kind: "ok", payload: new Uint8Array() });
    assert.deepEqual(decodeResponse(encodeError(FRAME_REMOTE_ERROR, "boom")), {
      kind: "remote-error",
      reason: "boom",
    });
    assert.deepEqual(decodeResponse(encodeError(FRAME_TOO_LARGE, "big")), {
      kind: "too-large",
      reason: "big",
    });
  });

  it("refuses malformed frames without throwing and cuts long reasons", () => {
    assert.deepEqual(decodeResponse(new Uint8Array()), { kind: "malformed" });
    assert.deepEqual(decodeResponse(Uint8Array.from([9, 1])), { kind: "malformed" });
    assert.equal(decodeRequest(Uint8Array.from([1, 2])), undefined);
    assert.equal(decodeRequest(new Uint8Array()), undefined);
    assert.equal(encodeError(FRAME_REMOTE_ERROR, "x".repeat(1000)).length, MAX_REASON_BYTES + 1);
    assert.deepEqual(decodeResponse(encodeError(FRAME_REMOTE_ERROR, "a\nb\u0000c 区块")), {
      kind: "remote-error",
      reason: "a?b?c 区块",
    });
  });

  it("prefixes frames with their unsigned varint length", () => {
    assert.deepEqual(lengthPrefixed(Uint8Array.from([7])), Uint8Array.from([1, 7]));
    const big = lengthPrefixed(new Uint8Array(300));
    assert.deepEqual(big.subarray(0, 2), Uint8Array.from([0xac, 0x02]));
    assert.equal(big.length, 302);
  });
});
