import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import { decryptKey, encryptKey, type KeystoreFile, parseKeystoreFile } from "../src/index.js";
import { code, FAST_KDF, type Loose, mutate } from "./helpers.js";

describe("parseKeystoreFile", () => {
  let file: KeystoreFile;
  before(async () => {
    file = await encryptKey(randomBytes(32), { agency: "gd.health", passphrase: "pw", kdf: FAST_KDF });
  });

  test("accepts a valid file and returns a fresh copy", () => {
    const parsed = parseKeystoreFile(JSON.parse(JSON.stringify(file)));
    assert.deepEqual(parsed, file);
  });

  const notObjects: unknown[] = [null, undefined, 42, "keystore", true, [], [{}]];
  for (const value of notObjects) {
    test(`refuses ${JSON.stringify(value) ?? "undefined"} as MALFORMED`, async () => {
      assert.throws(() => parseKeystoreFile(value), code("MALFORMED"));
      await assert.rejects(decryptKey(value, "pw"), code("MALFORMED"));
    });
  }

  const bad: [string, (f: Loose) => void][] = [
    ["missing version", (f) => delete f.version],
    ["string version", (f) => (f.version = "1")],
    ["fractional version", (f) => (f.version = 1.5)],
    ["missing agency", (f) => delete f.agency],
    ["numeric agency", (f) => (f.agency = 7)],
    ["empty agency", (f) => (f.agency = "")],
    ["agency with spaces", (f) => (f.agency = "Land Registry")],
    ["other scheme", (f) => (f.scheme = "sm2")],
    ["numeric publicKey", (f) => (f.publicKey = 12345)],
    ["non-hex publicKey", (f) => (f.publicKey = `zz${f.publicKey.slice(2)}`)],
    ["upper-case publicKey", (f) => (f.publicKey = f.publicKey.toUpperCase().replace(/^[0-9]/, "A"))],
    ["short publicKey", (f) => (f.publicKey = f.publicKey.slice(2))],
    ["odd-length publicKey", (f) => (f.publicKey = f.publicKey.slice(1))],
    ["missing kdf", (f) => delete f.kdf],
    ["null kdf", (f) => (f.kdf = null)],
    ["array kdf", (f) => (f.kdf = [])],
    ["other kdf", (f) => (f.kdf.name = "pbkdf2")],
    ["string N", (f) => (f.kdf.N = "16384")],
    ["N not a power of two", (f) => (f.kdf.N = 20000)],
    ["huge N", (f) => (f.kdf.N = 2 ** 30)],
    ["zero r", (f) => (f.kdf.r = 0)],
    ["negative p", (f) => (f.kdf.p = -1)],
    ["missing p", (f) => delete f.kdf.p],
    ["short salt", (f) => (f.kdf.salt = f.kdf.salt.slice(2))],
    ["missing cipher", (f) => delete f.cipher],
    ["string cipher", (f) => (f.cipher = "aes")],
    ["other cipher", (f) => (f.cipher.name = "aes-128-gcm")],
    ["numeric iv", (f) => (f.cipher.iv = 0)],
    ["long iv", (f) => (f.cipher.iv += "00")],
    ["bad hex tag", (f) => (f.cipher.tag = `${f.cipher.tag.slice(0, 30)}g0`)],
    ["missing ciphertext", (f) => delete f.cipher.ciphertext],
    ["short ciphertext", (f) => (f.cipher.ciphertext = f.cipher.ciphertext.slice(2))],
    ["numeric createdAt", (f) => (f.createdAt = Date.now())],
    ["free-text createdAt", (f) => (f.createdAt = "yesterday")],
    ["impossible createdAt", (f) => (f.createdAt = "2025-13-45T99:00:00Z")],
    ["extra top-level field", (f) => (f.seed = "00")],
    ["extra kdf field", (f) => (f.kdf.dkLen = 32)],
    ["__proto__ field", (f) => Object.defineProperty(f, "__proto__", { value: {}, enumerable: true })],
  ];
  for (const [name, change] of bad) {
    test(`refuses ${name} as MALFORMED`, async () => {
      const value = mutate(file, change);
      assert.throws(() => parseKeystoreFile(value), code("MALFORMED"));
      await assert.rejects(decryptKey(value, "pw"), code("MALFORMED"));
    });
  }

  test("refuses other versions as UNSUPPORTED_VERSION", () => {
    for (const version of [0, 2, 99]) {
      assert.throws(() => parseKeystoreFile({ version, anything: "else" }), code("UNSUPPORTED_VERSION"));
    }
  });

  test("refuses scrypt N below 2^14 as WEAK_KDF", () => {
    assert.throws(() => parseKeystoreFile(mutate(file, (f) => (f.kdf.N = 2 ** 13))), code("WEAK_KDF"));
  });
});
