import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

/** Signature schemes a key may use. "sm2" is reserved for the 国密 implementation behind the same interface. */
export type KeyScheme = "ed25519" | "sm2";
export const KEY_SCHEMES: readonly KeyScheme[] = ["ed25519", "sm2"];

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** Signs messages with one private key. */
export interface Signer {
  readonly scheme: KeyScheme;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks signatures for any key of the schemes it supports; never throws on malformed keys or signatures. */
export interface Verifier {
  verify(scheme: KeyScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

// DER prefixes of PKCS#8 and SPKI wrappers for raw Ed25519 keys (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

// Encodings (sign bit cleared) of the Ed25519 points of small order, canonical or not: y = 0, 1, p-1, p, p+1 and
// the two order-8 y values. A key among them would let anyone forge signatures that verify.
const SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/** Whether a 32-byte Ed25519 public key encodes a point of small order (such keys are refused everywhere). */
export function isWeakEd25519Key(publicKey: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return true;
  const masked = Buffer.from(publicKey);
  masked[31] = (masked[31] as number) & 0x7f;
  return SMALL_ORDER.includes(masked.toString("hex"));
}

/** A signer from a 32-byte Ed25519 seed (the private key as RFC 8032 defines it). */
export function ed25519Signer(seed: Uint8Array): Signer {
  if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return {
    scheme: "ed25519",
    publicKey,
    sign: (message) => new Uint8Array(sign(null, message, key)),
  };
}

/**
 * Ed25519 verification through node:crypto (OpenSSL, RFC 8032 rules). Public keys are parsed once and kept in a
 * bounded cache because validators verify many messages from few agencies.
 */
export function createVerifier(options: { keyCacheSize?: number } = {}): Verifier {
  const max = options.keyCacheSize ?? 1024;
  const keys = new Map<string, KeyObject | null>();
  const keyObject = (raw: Uint8Array): KeyObject | null => {
    const id = Buffer.from(raw).toString("hex");
    let k = keys.get(id);
    if (k === undefined) {
      try {
        k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
      } catch {
        k = null;
      }
      if (keys.size >= max) keys.delete(keys.keys().next().value as string);
      keys.set(id, k);
    }
    return k;
  };
  return {
    verify(scheme, publicKey, message, signature) {
      if (scheme !== "ed25519") return false;
      if (signature.length !== ED25519_SIGNATURE_LENGTH || isWeakEd25519Key(publicKey)) return false;
      const key = keyObject(publicKey);
      if (key === null) return false;
      try {
        return verify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  };
}
