import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { bytesEqual, ed25519Signer, type Signer, toHex } from "@coken/ledger";
import { KeystoreError } from "./errors.js";
import {
  checkAgency,
  checkKdf,
  DEFAULT_KDF,
  headerAad,
  hexBytes,
  IV_BYTES,
  type KdfParams,
  KEYSTORE_VERSION,
  type KeystoreFile,
  type KeystoreHeader,
  parseKeystoreFile,
  SALT_BYTES,
  TAG_BYTES,
} from "./format.js";

export interface EncryptOptions {
  readonly agency: string;
  readonly passphrase: string;
  /** Defaults to DEFAULT_KDF; N below MIN_SCRYPT_N is refused with WEAK_KDF. */
  readonly kdf?: KdfParams;
}

function checkPassphrase(passphrase: unknown): string {
  if (typeof passphrase !== "string") throw new TypeError("passphrase must be a string");
  return passphrase;
}

/** scrypt(NFKC(passphrase) as UTF-8, salt) → 32-byte AES key, off the event loop. */
function deriveKey(passphrase: string, salt: Uint8Array, { N, r, p }: KdfParams): Promise<Buffer> {
  // OpenSSL needs 128·r·(N+p+2) bytes; Node's default maxmem (32 MiB) is too small for N=2^17, r=8.
  const maxmem = 128 * r * (N + p + 2) + 2 ** 20;
  const secret = Buffer.from(passphrase.normalize("NFKC"), "utf8");
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N, r, p, maxmem }, (err, key) => {
      secret.fill(0);
      if (err) reject(new KeystoreError("IO", "scrypt failed", { cause: err }));
      else resolve(key);
    });
  });
}

/** Encrypts a 32-byte Ed25519 seed into a keystore file object (throws RangeError for any other length). */
export async function encryptKey(seed: Uint8Array, options: EncryptOptions): Promise<KeystoreFile> {
  const passphrase = checkPassphrase(options.passphrase);
  if (passphrase.length === 0) throw new RangeError("passphrase must not be empty");
  const agency = checkAgency(options.agency);
  const { N, r, p } = checkKdf(options.kdf ?? DEFAULT_KDF);
  const signer = ed25519Signer(seed);
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header: KeystoreHeader = {
    version: KEYSTORE_VERSION,
    agency,
    scheme: "ed25519",
    publicKey: toHex(signer.publicKey),
    kdf: { name: "scrypt", N, r, p, salt: toHex(salt) },
  };
  const key = await deriveKey(passphrase, salt, { N, r, p });
  try {
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(headerAad(header));
    const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
    return {
      ...header,
      cipher: {
        name: "aes-256-gcm",
        iv: toHex(iv),
        tag: toHex(cipher.getAuthTag()),
        ciphertext: toHex(ciphertext),
      },
      createdAt: new Date().toISOString(),
    };
  } finally {
    key.fill(0);
  }
}

/** What a decrypted keystore yields. `seed` is a copy the caller owns (a peer derives its network key from it). */
export interface UnlockedKey {
  agency: string;
  signer: Signer;
  seed: Uint8Array;
}

/** Validates `file` (untrusted JSON), decrypts the seed and returns the agency's signer. */
export async function decryptKey(file: unknown, passphrase: string): Promise<UnlockedKey> {
  checkPassphrase(passphrase);
  const ks = parseKeystoreFile(file);
  const key = await deriveKey(passphrase, hexBytes(ks.kdf.salt), ks.kdf);
  let seed: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, hexBytes(ks.cipher.iv), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(headerAad(ks));
    decipher.setAuthTag(hexBytes(ks.cipher.tag));
    seed = Buffer.concat([decipher.update(hexBytes(ks.cipher.ciphertext)), decipher.final()]);
  } catch {
    throw new KeystoreError(
      "WRONG_PASSPHRASE",
      "cannot decrypt keystore: wrong passphrase, or the file was modified (AES-GCM cannot tell which)",
    );
  } finally {
    key.fill(0);
  }
  try {
    const signer = ed25519Signer(seed);
    if (!bytesEqual(signer.publicKey, hexBytes(ks.publicKey))) {
      throw new KeystoreError("KEY_MISMATCH", "decrypted key does not match the keystore's public key");
    }
    return { agency: ks.agency, signer, seed: new Uint8Array(seed) };
  } finally {
    seed.fill(0);
  }
}
