import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHasher } from "@coken/ledger";
import fc from "fast-check";
import { GatewayError } from "../../src/errors.js";
import { decodeReceiptList } from "../../src/receipts/codec.js";
import {
  canonicalJson,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  type RequestEnvelope,
  readSignedRequest,
  requestHash,
  variablesHash,
} from "../../src/signing/index.js";

const h = createHasher("sha256");
const agency = fc.stringMatching(/^[a-z0-9](?:[a-z0-9.-]{0,20}[a-z0-9])?$/);
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const envelope: fc.Arbitrary<RequestEnvelope> = fc.record({
  requester: agency,
  provider: agency,
  grant: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: null }),
  dataset: fc.option(fc.stringMatching(/^[a-z0-9](?:[a-z0-9._/-]{0,30}[a-z0-9])?$/), { nil: null }),
  queryHash: bytes(32),
  variablesHash: bytes(32),
  nonce: bytes(16),
  time: fc.nat(),
  expiresAt: fc.nat(),
});
const onlyBadInput = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GatewayError && ["BAD_USER_INPUT", "UNAUTHENTICATED"].includes(e.code), String(e));
  }
};

describe("envelope and canonical JSON properties", () => {
  it("every envelope round-trips through its canonical bytes, and its hash depends on every field", () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const bytes = encodeRequest(e);
        assert.deepEqual(decodeRequest(bytes), { ...e });
        assert.notDeepEqual(requestHash(h, { ...e, time: e.time + 1 }), requestHash(h, e));
      }),
    );
  });

  it("arbitrary bytes and wire values are refused with a gateway code, never another error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        onlyBadInput(() => decodeRequest(b));
        onlyBadInput(() => decodeResponse(b));
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (w) => {
        onlyBadInput(() => readSignedRequest(h, w));
        onlyBadInput(() => readSignedRequest(h, { envelope: w, signature: w }));
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => onlyBadInput(() => decodeReceiptList(s))));
  });

  it("canonical JSON is idempotent and ignores member order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        assert.equal(canonicalJson(JSON.parse(text)), text);
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        assert.equal(canonicalJson(reversed), canonicalJson(d));
        assert.deepEqual(variablesHash(h, reversed), variablesHash(h, d));
      }),
    );
  });
});
