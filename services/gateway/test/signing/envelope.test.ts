import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createHasher, createVerifier, ed25519Signer, encodeCbor, toHex } from "@coken/ledger";
import { GatewayError } from "../../src/errors.js";
import {
  CheckedBatches,
  canonicalJson,
  decodeRequest,
  documentHash,
  encodeRequest,
  type RequestEnvelope,
  readSignedRequest,
  readSignedResponse,
  requestHash,
  requestSignatureValid,
  responseHash,
  responseSignatureValid,
  signRequest,
  signRequests,
  signResponse,
  signResponses,
  variablesHash,
} from "../../src/signing/index.js";

const h = createHasher("sha256");
const verifier = createVerifier();
const seed = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());
const alice = ed25519Signer(seed("alice"));
const mallory = ed25519Signer(seed("mallory"));
const aliceKey = { keyScheme: "ed25519" as const, publicKey: alice.publicKey };

const request: RequestEnvelope = {
  requester: "bj.housing",
  provider: "sh.land-registry",
  grant: "d7a1a12ed81a9205181f7f314ddc50d1",
  dataset: "sh.land/parcels",
  queryHash: documentHash(h, "query { x }"),
  variablesHash: variablesHash(h, { b: 1, a: [true, null] }),
  nonce: new Uint8Array(16).fill(7),
  time: 1_767_225_600_000,
  expiresAt: 1_767_225_660_000,
};

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, "x"], c: undefined, é: null } }),
      '{"a":{"d":[1,"x"],"é":null},"b":1}',
    );
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  });

  it("refuses what is not JSON", () => {
    assert.throws(
      () => canonicalJson({ x: Number.NaN }),
      (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
    );
    assert.throws(
      () => canonicalJson({ x: 1n }),
      (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
    );
  });

  it("hashes variables independently of key order, and absent variables as {}", () => {
    assert.deepEqual(variablesHash(h, { a: 1, b: 2 }), variablesHash(h, { b: 2, a: 1 }));
    assert.deepEqual(variablesHash(h, undefined), variablesHash(h, {}));
    assert.notDeepEqual(variablesHash(h, { a: 1 }), variablesHash(h, { a: 2 }));
  });
});

describe("request envelope", () => {
  it("round-trips through its canonical bytes and hashes the same", () => {
    const bytes = encodeRequest(request);
    const back = decodeRequest(bytes);
    assert.deepEqual(back, request);
    assert.deepEqual(encodeRequest(back), bytes);
    assert.equal(toHex(requestHash(h, back)), toHex(requestHash(h, request)));
  });

  it("refuses non-canonical or malformed bytes with BAD_USER_INPUT", () => {
    const bytes = encodeRequest(request);
    const trailing = new Uint8Array([...bytes, 0]);
    assert.throws(
      () => decodeRequest(trailing),
      (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
    );
    const shortNonce = encodeRequest({ ...request, nonce: new Uint8Array(15) });
    assert.throws(
      () => decodeRequest(shortNonce),
      (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
    );
  });

  it("a signature verifies under the signer's key only, and for this exact envelope only", () => {
    const wire = signRequest(h, alice, request);
    const { request: read, ...signature } = readSignedRequest(h, wire);
    assert.ok(requestSignatureValid(h, verifier, aliceKey, read, signature));
    assert.ok(
      !requestSignatureValid(h, verifier, { ...aliceKey, publicKey: mallory.publicKey }, read, signature),
    );
    for (const tampered of [
      { ...read, grant: null },
      { ...read, time: read.time + 1 },
      { ...read, expiresAt: read.expiresAt + 1 },
      { ...read, nonce: new Uint8Array(16).fill(8) },
      { ...read, requester: "gz.tax" },
      { ...read, variablesHash: variablesHash(h, { b: 2 }) },
    ])
      assert.ok(!requestSignatureValid(h, verifier, aliceKey, tampered, signature));
    const forged = signRequest(h, mallory, request);
    assert.ok(!requestSignatureValid(h, verifier, aliceKey, request, readSignedRequest(h, forged)));
  });

  it("the hash read off the wire is the envelope's hash; other encodings of it are refused", () => {
    const read = readSignedRequest(h, signRequest(h, alice, request));
    assert.deepEqual(read.hash, requestHash(h, read.request));
    const response = {
      requestHash: read.hash,
      resultHash: read.hash,
      proofHash: read.hash,
      receiptId: null,
      time: 5,
    };
    assert.deepEqual(readSignedResponse(h, signResponse(h, alice, response)).hash, responseHash(h, response));
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
    const canonical = Buffer.from(encodeRequest(request));
    // `nonce` with its length in long form: the same envelope, not in its one canonical encoding.
    const at = canonical.indexOf(Buffer.from("nonce")) + 5;
    assert.equal(canonical[at], 0x50, "a 16-byte string has its length in the head");
    const longNonce = Buffer.concat([
      canonical.subarray(0, at),
      Buffer.from([0x58, 16]),
      canonical.subarray(at + 1),
    ]);
    for (const other of [
      Buffer.concat([canonical, Buffer.from([0])]),
      encodeCbor({ ...request, extra: 1 }),
      longNonce,
    ])
      assert.throws(
        () => readSignedRequest(h, { envelope: b64(other), signature: b64(new Uint8Array(64)) }),
        (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
      );
  });

  it("an unsigned or garbled wire form is UNAUTHENTICATED", () => {
    for (const wire of [undefined, null, 3, {}, { envelope: "%%", signature: "AA==" }])
      assert.throws(
        () => readSignedRequest(h, wire),
        (e) => e instanceof GatewayError && e.code === "UNAUTHENTICATED",
      );
  });
});

describe("batch signatures", () => {
  const batch = [0, 1, 2].map((i) => ({ ...request, nonce: new Uint8Array(16).fill(i) }));
  const counting = () => {
    const counter = {
      calls: 0,
      verify: (...args: Parameters<typeof verifier.verify>) => {
        counter.calls++;
        return verifier.verify(...args);
      },
    };
    return counter;
  };

  it("one signature covers every envelope of the batch, each checked against the hashes signed", () => {
    const wire = signRequests(h, alice, batch);
    assert.equal(new Set(wire.map((w) => w.signature)).size, 1);
    assert.ok(wire.every((w) => w.batch === wire[0]?.batch));
    const counter = counting();
    const checked = new CheckedBatches();
    for (const w of wire) {
      const { request: read, ...signed } = readSignedRequest(h, w);
      assert.ok(requestSignatureValid(h, counter, aliceKey, read, signed, checked));
      assert.ok(
        !requestSignatureValid(h, counter, aliceKey, { ...read, time: read.time + 1 }, signed, checked),
      );
    }
    assert.equal(counter.calls, 1, "the batch signature is verified once per exchange");
    // A single envelope keeps the plain form: its signature is over its own hash.
    assert.equal(signRequests(h, alice, [request])[0]?.batch, undefined);
    assert.deepEqual(signRequests(h, alice, [request]), [signRequest(h, alice, request)]);
  });

  it("refuses an envelope outside the batch, an altered batch, another key, another batch's signature", () => {
    const wire = signRequests(h, alice, batch.slice(0, 2));
    const { request: first, ...signed } = readSignedRequest(h, wire[0]);
    const outsider = batch[2] as RequestEnvelope;
    assert.ok(!requestSignatureValid(h, verifier, aliceKey, outsider, signed));
    // Appending the outsider's hash to the batch breaks the signature.
    const extended = {
      ...signed,
      batch: Buffer.concat([signed.batch as Uint8Array, requestHash(h, outsider)]),
    };
    assert.ok(!requestSignatureValid(h, verifier, aliceKey, outsider, extended));
    assert.ok(!requestSignatureValid(h, verifier, aliceKey, first, extended));
    const malloryKey = { ...aliceKey, publicKey: mallory.publicKey };
    const checked = new CheckedBatches();
    assert.ok(requestSignatureValid(h, verifier, aliceKey, first, signed, checked));
    assert.ok(!requestSignatureValid(h, verifier, malloryKey, first, signed, checked), "memo is per key");
    const other = readSignedRequest(h, signRequests(h, alice, [batch[0] as RequestEnvelope, outsider])[0]);
    assert.ok(
      !requestSignatureValid(h, verifier, aliceKey, first, { ...signed, signature: other.signature }),
    );
    // A request batch signature never stands for a response batch (distinct tags).
    const asResponse = readSignedResponse(h, {
      ...wire[0],
      envelope: signResponse(h, alice, response0()).envelope,
    });
    assert.ok(!responseSignatureValid(h, verifier, aliceKey, asResponse.response, asResponse));
  });

  it("responses of one HTTP response are signed together the same way", () => {
    const responses = [1, 2, 3].map((t) => ({ ...response0(), time: request.time + t }));
    const wire = signResponses(h, alice, responses);
    const checked = new CheckedBatches();
    for (const w of wire) {
      const { response: read, ...signed } = readSignedResponse(h, w);
      assert.ok(responseSignatureValid(h, verifier, aliceKey, read, signed, checked));
    }
  });

  it("a malformed batch is UNAUTHENTICATED", () => {
    const wire = signRequests(h, alice, batch.slice(0, 2))[0] as { batch: string };
    for (const bad of [
      "",
      Buffer.alloc(31).toString("base64"),
      Buffer.alloc(65 * 32).toString("base64"),
      "%%",
    ])
      assert.throws(
        () => readSignedRequest(h, { ...wire, batch: bad }),
        (e) => e instanceof GatewayError && e.code === "UNAUTHENTICATED",
      );
  });
});

function response0() {
  return {
    requestHash: requestHash(h, request),
    resultHash: new Uint8Array(32).fill(1),
    proofHash: new Uint8Array(32).fill(2),
    receiptId: new Uint8Array(32).fill(3),
    time: request.time + 5,
  };
}

describe("response envelope", () => {
  it("binds the request hash, the hashes of the answer and the receipt id", () => {
    const response = {
      requestHash: requestHash(h, request),
      resultHash: new Uint8Array(32).fill(1),
      proofHash: new Uint8Array(32).fill(2),
      receiptId: new Uint8Array(32).fill(3),
      time: request.time + 5,
    };
    const { response: read, ...signature } = readSignedResponse(h, signResponse(h, alice, response));
    assert.deepEqual(read, response);
    assert.ok(responseSignatureValid(h, verifier, aliceKey, read, signature));
    assert.ok(!responseSignatureValid(h, verifier, aliceKey, { ...read, receiptId: null }, signature));
    assert.ok(
      !responseSignatureValid(h, verifier, aliceKey, { ...read, resultHash: new Uint8Array(32) }, signature),
    );
  });

  it("gateway hashes never collide with ledger hashes of the same bytes (distinct tags)", () => {
    const bytes = encodeRequest(request);
    assert.notDeepEqual(h.hash("gateway.request", bytes), h.hash("tx.body", bytes));
    assert.notDeepEqual(h.hash("gateway.request", bytes), h.hash("receipt", bytes));
  });
});
