import { fromHex, utf8 } from "@coken/ledger";
import { KeystoreError } from "./errors.js";

export const KEYSTORE_VERSION = 1;
export const MIN_SCRYPT_N = 2 ** 14;
export const MAX_SCRYPT_N = 2 ** 20;
/** Upper bound on scrypt's 128·N·r working memory, so a hostile file cannot exhaust the host. */
export const MAX_SCRYPT_MEMORY = 2 ** 30;

export interface KdfParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

export interface KeystoreFile {
  readonly version: 1;
  readonly agency: string;
  readonly scheme: "ed25519";
  /** Hex fields are lower-case. */
  readonly publicKey: string;
  readonly kdf: {
    readonly name: "scrypt";
    readonly N: number;
    readonly r: number;
    readonly p: number;
    readonly salt: string;
  };
  readonly cipher: {
    readonly name: "aes-256-gcm";
    readonly iv: string;
    readonly tag: string;
    readonly ciphertext: string;
  };
  readonly createdAt: string;
}

export type KeystoreHeader = Pick<KeystoreFile, "version" | "agency" | "scheme" | "publicKey" | "kdf">;

export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const SEED_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;

// Same rule as the ledger's AgencyId (services/ledger/src/model.ts).
const AGENCY_ID = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function malformed(message: string): never {
  throw new KeystoreError("MALFORMED", `malformed keystore: ${message}`);
}

function object(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    malformed(`${where} is not an object`);
  const record = value as Record<string, unknown>;
  for (const key of keys) if (!Object.hasOwn(record, key)) malformed(`${where} lacks "${key}"`);
  for (const key of Object.keys(record))
    if (!keys.includes(key)) malformed(`${where} has unexpected "${key}"`);
  return record;
}

function hex(value: unknown, where: string, bytes: number): string {
  if (typeof value !== "string" || value.length !== bytes * 2 || !/^[0-9a-f]*$/.test(value)) {
    malformed(`${where} is not ${bytes} bytes of lower-case hex`);
  }
  return value;
}

function literal<T extends string>(value: unknown, where: string, expected: T): T {
  if (value !== expected) malformed(`${where} is not "${expected}"`);
  return expected;
}

export function checkAgency(value: unknown): string {
  if (typeof value !== "string" || !AGENCY_ID.test(value)) malformed("agency is not a valid agency id");
  return value;
}

/** Validates scrypt parameters; WEAK_KDF below MIN_SCRYPT_N, MALFORMED if otherwise out of range. */
export function checkKdf(kdf: { N: unknown; r: unknown; p: unknown }): KdfParams {
  const { N, r, p } = kdf;
  if (typeof N !== "number" || !Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) {
    malformed("kdf.N is not a power of two");
  }
  if (typeof r !== "number" || !Number.isSafeInteger(r) || r < 1 || r > 16)
    malformed("kdf.r is not in 1..16");
  if (typeof p !== "number" || !Number.isSafeInteger(p) || p < 1 || p > 16)
    malformed("kdf.p is not in 1..16");
  if (N < MIN_SCRYPT_N)
    throw new KeystoreError("WEAK_KDF", `scrypt N=${N} is below the minimum ${MIN_SCRYPT_N}`);
  if (N > MAX_SCRYPT_N || 128 * N * r > MAX_SCRYPT_MEMORY)
    malformed("kdf cost is beyond the supported maximum");
  return { N, r, p };
}

/** Validates untrusted JSON (already parsed) into a KeystoreFile. Unknown fields are refused. */
export function parseKeystoreFile(value: unknown): KeystoreFile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) malformed("not a JSON object");
  const version = (value as Record<string, unknown>).version;
  if (typeof version !== "number" || !Number.isSafeInteger(version)) malformed("version is not an integer");
  if (version !== KEYSTORE_VERSION) {
    throw new KeystoreError("UNSUPPORTED_VERSION", `keystore version ${version} is not supported`);
  }
  const top = object(value, "file", [
    "version",
    "agency",
    "scheme",
    "publicKey",
    "kdf",
    "cipher",
    "createdAt",
  ]);
  const kdf = object(top.kdf, "kdf", ["name", "N", "r", "p", "salt"]);
  const cipher = object(top.cipher, "cipher", ["name", "iv", "tag", "ciphertext"]);
  const createdAt = top.createdAt;
  if (typeof createdAt !== "string" || !ISO_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    malformed("createdAt is not an ISO 8601 UTC time");
  }
  const agency = checkAgency(top.agency);
  const scheme = literal(top.scheme, "scheme", "ed25519");
  const publicKey = hex(top.publicKey, "publicKey", PUBLIC_KEY_BYTES);
  const kdfName = literal(kdf.name, "kdf.name", "scrypt");
  const salt = hex(kdf.salt, "kdf.salt", SALT_BYTES);
  const cipherName = literal(cipher.name, "cipher.name", "aes-256-gcm");
  const iv = hex(cipher.iv, "cipher.iv", IV_BYTES);
  const tag = hex(cipher.tag, "cipher.tag", TAG_BYTES);
  const ciphertext = hex(cipher.ciphertext, "cipher.ciphertext", SEED_BYTES);
  const { N, r, p } = checkKdf(kdf as { N: unknown; r: unknown; p: unknown });
  return {
    version: KEYSTORE_VERSION,
    agency,
    scheme,
    publicKey,
    kdf: { name: kdfName, N, r, p, salt },
    cipher: { name: cipherName, iv, tag, ciphertext },
    createdAt,
  };
}

/**
 * AES-GCM additional authenticated data: the UTF-8 of a JSON array without whitespace. Every field is an integer or
 * an ASCII string from a restricted alphabet, so the encoding is unambiguous and easy to reproduce elsewhere.
 */
export function headerAad(h: KeystoreHeader): Uint8Array {
  const { name, N, r, p, salt } = h.kdf;
  return utf8.encode(
    JSON.stringify([
      "coken-keystore",
      h.version,
      h.agency,
      h.scheme,
      h.publicKey,
      name,
      N,
      r,
      p,
      salt,
      "aes-256-gcm",
    ]),
  );
}

/** Bytes of hex that parseKeystoreFile or toHex produced. */
export function hexBytes(value: string): Uint8Array {
  return fromHex(value) ?? malformed("bad hex");
}
