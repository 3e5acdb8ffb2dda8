import { createCipheriv, randomBytes, scryptSync } from "node:crypto";
import { toHex } from "@coken/ledger";
import type { KdfParams, KeystoreError, KeystoreErrorCode, KeystoreFile } from "../src/index.js";

export const FAST_KDF: KdfParams = { N: 2 ** 14, r: 8, p: 1 };

/** A predicate for assert.throws / assert.rejects. */
export function code(expected: KeystoreErrorCode): (e: unknown) => boolean {
  return (e) => e instanceof Error && e.name === "KeystoreError" && (e as KeystoreError).code === expected;
}

// biome-ignore lint/suspicious/noExplicitAny: tests write ill-typed values into the copy on purpose
export type Loose = Record<string, any>;

/** Deep copy with one change applied, for tampering and malformed-shape tests. */
export function mutate(file: KeystoreFile, change: (f: Loose) => void): unknown {
  const copy = JSON.parse(JSON.stringify(file));
  change(copy);
  return copy;
}

/** Changes one hex digit so the value stays well-formed but differs. */
export function flipHex(hex: string, index = 0): string {
  const c = hex[index] === "0" ? "1" : "0";
  return hex.slice(0, index) + c + hex.slice(index + 1);
}

/**
 * An independent implementation of the format as README.md describes it, with the header's public key chosen
 * freely (to build a file whose key does not match).
 */
export function sealPerReadme(
  seed: Uint8Array,
  publicKey: Uint8Array,
  agency: string,
  passphrase: string,
  { N, r, p }: KdfParams,
): unknown {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(Buffer.from(passphrase.normalize("NFKC"), "utf8"), salt, 32, {
    N,
    r,
    p,
    maxmem: 256 * N * r,
  });
  const aad = JSON.stringify([
    "coken-keystore",
    1,
    agency,
    "ed25519",
    toHex(publicKey),
    "scrypt",
    N,
    r,
    p,
    toHex(salt),
    "aes-256-gcm",
  ]);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
  return {
    version: 1,
    agency,
    scheme: "ed25519",
    publicKey: toHex(publicKey),
    kdf: { name: "scrypt", N, r, p, salt: toHex(salt) },
    cipher: {
      name: "aes-256-gcm",
      iv: toHex(iv),
      tag: toHex(cipher.getAuthTag()),
      ciphertext: toHex(ciphertext),
    },
    createdAt: "2025-01-02T03:04:05.678Z",
  };
}
