import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519Signer } from "@coken/ledger";
import {
  isNetworkError,
  parsePeerId,
  peerIdFromPublicKey,
  peerIdFromSeed,
  privateKeyFromSeed,
} from "../src/index.js";
import { seedFor } from "./helpers.js";

describe("identity", () => {
  it("derives the same peer id from the seed and from the ledger's Ed25519 public key", async () => {
    const seed = seedFor(1);
    const fromSeed = await peerIdFromSeed(seed);
    const fromKey = peerIdFromPublicKey(ed25519Signer(seed).publicKey);
    assert.ok(fromSeed.equals(fromKey));
    assert.equal(fromSeed.type, "Ed25519");
    assert.deepEqual((await privateKeyFromSeed(seed)).publicKey.raw, ed25519Signer(seed).publicKey);
  });

  it("gives different seeds different ids and the same seed the same id", async () => {
    assert.ok((await peerIdFromSeed(seedFor(1))).equals(await peerIdFromSeed(seedFor(1))));
    assert.ok(!(await peerIdFromSeed(seedFor(1))).equals(await peerIdFromSeed(seedFor(2))));
  });

  it("round-trips through the string form", async () => {
    const id = await peerIdFromSeed(seedFor(3));
    assert.ok(parsePeerId(id.toString()).equals(id));
  });

  it("refuses bad seeds, bad and small-order keys, and malformed ids", async () => {
    await assert.rejects(peerIdFromSeed(new Uint8Array(31)), (e) => isNetworkError(e, "INVALID_CONFIG"));
    assert.throws(
      () => peerIdFromPublicKey(new Uint8Array(33)),
      (e) => isNetworkError(e, "INVALID_CONFIG"),
    );
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1; // the identity point
    assert.throws(
      () => peerIdFromPublicKey(smallOrder),
      (e) => isNetworkError(e, "INVALID_CONFIG"),
    );
    assert.throws(
      () => parsePeerId("not-a-peer-id"),
      (e) => isNetworkError(e, "INVALID_CONFIG"),
    );
  });
});
