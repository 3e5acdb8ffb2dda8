import { createHash, hash as oneShotHash } from "node:crypto";

/** Hash functions a chain may choose in its genesis file. SM3 (GB/T 32905) comes from node:crypto's OpenSSL. */
export type HashAlgorithm = "sha256" | "sm3";
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ["sha256", "sm3"];

/** Every hash in Coken is 32 bytes. */
export const HASH_LENGTH = 32;

const PREFIX = "coken/1/";
const tagCache = new Map<string, Buffer>();

function tagBytes(tag: string): Buffer {
  let b = tagCache.get(tag);
  if (b === undefined) {
    b = Buffer.from(`${PREFIX}${tag}\u0000`, "utf8");
    tagCache.set(tag, b);
  }
  return b;
}

/**
 * Domain-separated hash: H(utf8("coken/1/" + tag) || 0x00 || part_1 || ... || part_n).
 * Tags are fixed ASCII names listed in docs/spec/ledger.md, so a hash made for one purpose is never valid for
 * another.
 */
export function taggedHash(alg: HashAlgorithm, tag: string, ...parts: readonly Uint8Array[]): Uint8Array {
  const prefix = tagBytes(tag);
  let length = prefix.length;
  for (const p of parts) length += p.length;
  if (length <= 4096) {
    // One-shot hashing of a small joined buffer is several times cheaper than a streaming Hash object.
    const joined = Buffer.allocUnsafe(length);
    prefix.copy(joined, 0);
    let offset = prefix.length;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    return new Uint8Array(oneShotHash(alg, joined, "buffer"));
  }
  const h = createHash(alg);
  h.update(prefix);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** A hasher bound to one algorithm, passed to every pure function that hashes. */
export interface Hasher {
  readonly algorithm: HashAlgorithm;
  hash(tag: string, ...parts: readonly Uint8Array[]): Uint8Array;
}

export function createHasher(algorithm: HashAlgorithm): Hasher {
  return { algorithm, hash: (tag, ...parts) => taggedHash(algorithm, tag, ...parts) };
}
