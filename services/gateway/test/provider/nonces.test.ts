import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../src/errors.js";
import { NonceCache } from "../../src/provider/nonces.js";

const n = (i: number) => new Uint8Array(16).fill(i);

describe("nonce cache", () => {
  it("refuses a nonce seen before, per requester", () => {
    const cache = new NonceCache();
    assert.ok(cache.claim("a", n(1), 100, 0));
    assert.ok(!cache.claim("a", n(1), 100, 0));
    assert.ok(cache.claim("b", n(1), 100, 0));
  });

  it("is bounded: expired nonces make room, live ones are never dropped (it refuses instead)", () => {
    const cache = new NonceCache(2);
    assert.ok(cache.claim("a", n(1), 10, 0));
    assert.ok(cache.claim("a", n(2), 100, 0));
    assert.ok(cache.claim("a", n(3), 100, 50), "the expired nonce 1 made room");
    assert.throws(
      () => cache.claim("a", n(4), 100, 50),
      (e) => e instanceof GatewayError && e.code === "RATE_LIMITED",
    );
    assert.ok(!cache.claim("a", n(2), 100, 50), "a live nonce is still refused");
    assert.equal(cache.size, 2);
  });

  it("opens with the nonces the store still keeps", async () => {
    const cache = await NonceCache.open(
      { liveNonces: async () => [{ requester: "a", nonce: n(9), expiresMs: 100 }] },
      0,
    );
    assert.ok(!cache.claim("a", n(9), 100, 0));
  });
});
