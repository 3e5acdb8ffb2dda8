import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import { createVerifier, ed25519Signer, toHex, utf8 } from "@coken/ledger";
import { decryptKey, encryptKey, type KeystoreFile, MIN_SCRYPT_N } from "../src/index.js";
import { code, FAST_KDF, flipHex, type Loose, mutate, sealPerReadme } from "./helpers.js";

const PASS = "correct horse battery staple";
const AGENCY = "sh.land-registry";

describe("encryptKey / decryptKey", () => {
  const seed = randomBytes(32);
  let file: KeystoreFile;
  before(async () => {
    file = await encryptKey(seed, { agency: AGENCY, passphrase: PASS, kdf: FAST_KDF });
  });

  test("round trip: the loaded signer signs verifiable messages", async () => {
    const { agency, signer } = await decryptKey(file, PASS);
    assert.equal(agency, AGENCY);
    assert.equal(signer.scheme, "ed25519");
    assert.deepEqual(signer.publicKey, ed25519Signer(seed).publicKey);
    assert.equal(file.publicKey, toHex(signer.publicKey));
    const message = utf8.encode("block 42");
    const signature = signer.sign(message);
    assert.ok(createVerifier().verify("ed25519", signer.publicKey, message, signature));
  });

  test("the file has the documented shape and fresh salt and iv each time", async () => {
    assert.deepEqual(Object.keys(file), [
      "version",
      "agency",
      "scheme",
      "publicKey",
      "kdf",
      "cipher",
      "createdAt",
    ]);
    assert.deepEqual(file.kdf, { name: "scrypt", ...FAST_KDF, salt: file.kdf.salt });
    assert.equal(file.cipher.name, "aes-256-gcm");
    assert.equal(file.kdf.salt.length, 32);
    assert.equal(file.cipher.iv.length, 24);
    assert.equal(file.cipher.tag.length, 32);
    assert.equal(file.cipher.ciphertext.length, 64);
    assert.ok(!Number.isNaN(Date.parse(file.createdAt)));
    const again = await encryptKey(seed, { agency: AGENCY, passphrase: PASS, kdf: FAST_KDF });
    assert.notEqual(again.kdf.salt, file.kdf.salt);
    assert.notEqual(again.cipher.iv, file.cipher.iv);
    assert.notEqual(again.cipher.ciphertext, file.cipher.ciphertext);
  });

  test("wrong passphrase is refused", async () => {
    await assert.rejects(decryptKey(file, "correct horse battery stapler"), code("WRONG_PASSPHRASE"));
    await assert.rejects(decryptKey(file, ""), code("WRONG_PASSPHRASE"));
  });

  const tampers: [string, (f: Loose) => void][] = [
    ["ciphertext", (f) => (f.cipher.ciphertext = flipHex(f.cipher.ciphertext, 10))],
    ["iv", (f) => (f.cipher.iv = flipHex(f.cipher.iv))],
    ["tag", (f) => (f.cipher.tag = flipHex(f.cipher.tag, 31))],
    ["publicKey", (f) => (f.publicKey = toHex(ed25519Signer(randomBytes(32)).publicKey))],
    ["agency", (f) => (f.agency = "bj.tax-bureau")],
    ["kdf.salt", (f) => (f.kdf.salt = flipHex(f.kdf.salt))],
    ["kdf.N", (f) => (f.kdf.N = 2 ** 15)],
    ["kdf.r", (f) => (f.kdf.r = 9)],
    ["kdf.p", (f) => (f.kdf.p = 2)],
  ];
  for (const [field, change] of tampers) {
    test(`tampered ${field} is refused as WRONG_PASSPHRASE`, async () => {
      await assert.rejects(decryptKey(mutate(file, change), PASS), code("WRONG_PASSPHRASE"));
    });
  }

  test("createdAt is informational and not authenticated", async () => {
    const edited = mutate(file, (f) => (f.createdAt = "2030-01-01T00:00:00.000Z"));
    assert.equal((await decryptKey(edited, PASS)).agency, AGENCY);
  });

  test("error messages contain neither the passphrase nor key bytes", async () => {
    const secret = "hunter2-very-secret";
    const errors: unknown[] = [];
    await decryptKey(file, secret).catch((e) => errors.push(e));
    await decryptKey(
      mutate(file, (f) => (f.cipher.tag = "zz")),
      secret,
    ).catch((e) => errors.push(e));
    await encryptKey(seed, { agency: "Not Valid", passphrase: secret, kdf: FAST_KDF }).catch((e) =>
      errors.push(e),
    );
    assert.equal(errors.length, 3);
    for (const e of errors) {
      const text = `${(e as Error).message} ${(e as Error).stack}`;
      assert.ok(!text.includes(secret));
      assert.ok(!text.includes(toHex(seed)));
    }
  });
});

describe("KDF parameters", () => {
  const seed = randomBytes(32);

  test("N below 2^14 is refused when encrypting and when decrypting", async () => {
    await assert.rejects(
      encryptKey(seed, { agency: AGENCY, passphrase: PASS, kdf: { N: MIN_SCRYPT_N / 2, r: 8, p: 1 } }),
      code("WEAK_KDF"),
    );
    const weak = sealPerReadme(seed, ed25519Signer(seed).publicKey, AGENCY, PASS, { N: 1024, r: 8, p: 1 });
    await assert.rejects(decryptKey(weak, PASS), code("WEAK_KDF"));
  });

  test("parameters that are not valid scrypt, or too costly, are refused", async () => {
    for (const kdf of [
      { N: 3 * 2 ** 14, r: 8, p: 1 },
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 2 ** 20, r: 16, p: 1 },
      { N: 2 ** 14, r: 0, p: 1 },
      { N: 2 ** 14, r: 8, p: 1.5 },
    ]) {
      await assert.rejects(encryptKey(seed, { agency: AGENCY, passphrase: PASS, kdf }), code("MALFORMED"));
    }
  });

  test("the default is scrypt N=2^17, r=8, p=1", { timeout: 30_000 }, async () => {
    const file = await encryptKey(seed, { agency: AGENCY, passphrase: PASS });
    assert.deepEqual([file.kdf.N, file.kdf.r, file.kdf.p], [131072, 8, 1]);
    assert.deepEqual((await decryptKey(file, PASS)).signer.publicKey, ed25519Signer(seed).publicKey);
  });
});

describe("inputs", () => {
  test("seed must be 32 bytes, passphrase non-empty, agency a valid agency id", async () => {
    await assert.rejects(
      encryptKey(randomBytes(31), { agency: AGENCY, passphrase: PASS, kdf: FAST_KDF }),
      RangeError,
    );
    await assert.rejects(
      encryptKey(randomBytes(32), { agency: AGENCY, passphrase: "", kdf: FAST_KDF }),
      RangeError,
    );
    await assert.rejects(
      encryptKey(randomBytes(32), { agency: "Land Registry", passphrase: PASS, kdf: FAST_KDF }),
      code("MALFORMED"),
    );
  });

  test("unicode passphrases are NFKC-normalised", async () => {
    const seed = randomBytes(32);
    const nfc = "café 共票 ключ".normalize("NFC");
    const nfd = nfc.normalize("NFD");
    assert.notEqual(nfc, nfd);
    const fromNfc = await encryptKey(seed, { agency: AGENCY, passphrase: nfc, kdf: FAST_KDF });
    const fromNfd = await encryptKey(seed, { agency: AGENCY, passphrase: nfd, kdf: FAST_KDF });
    for (const f of [fromNfc, fromNfd]) {
      for (const pass of [nfc, nfd]) assert.equal((await decryptKey(f, pass)).agency, AGENCY);
    }
    const fullwidth = await encryptKey(seed, { agency: AGENCY, passphrase: "Ｐａｓｓ１２３", kdf: FAST_KDF });
    assert.equal((await decryptKey(fullwidth, "Pass123")).agency, AGENCY);
    await assert.rejects(decryptKey(fromNfc, "cafe 共票 ключ"), code("WRONG_PASSPHRASE"));
  });
});

describe("README conformance", () => {
  test("a file built by hand from the README decrypts", async () => {
    const seed = randomBytes(32);
    const file = sealPerReadme(seed, ed25519Signer(seed).publicKey, AGENCY, "Ｐａｓｓ", FAST_KDF);
    const { agency, signer } = await decryptKey(file, "Pass");
    assert.equal(agency, AGENCY);
    assert.deepEqual(signer.publicKey, ed25519Signer(seed).publicKey);
  });

  test("a seed that does not produce the header's public key is refused", async () => {
    const other = ed25519Signer(randomBytes(32)).publicKey;
    const file = sealPerReadme(randomBytes(32), other, AGENCY, PASS, FAST_KDF);
    await assert.rejects(decryptKey(file, PASS), code("KEY_MISMATCH"));
  });
});
