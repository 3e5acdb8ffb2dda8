import type { KeyScheme, Verifier } from "@coken/ledger";

export interface VerifierStats {
  checks: number;
  cacheHits: number;
}

/**
 * A verifier that remembers outcomes, so a signature checked when a tx enters the mempool is not checked again
 * when its block executes (nor when a peer re-gossips it). Bounded: the oldest entries are forgotten first.
 */
export function createCachingVerifier(
  inner: Verifier,
  capacity = 200_000,
): Verifier & { stats: VerifierStats } {
  const cache = new Map<string, boolean>();
  const stats: VerifierStats = { checks: 0, cacheHits: 0 };
  return {
    stats,
    verify(scheme: KeyScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      const key = `${scheme}:${Buffer.from(publicKey).toString("base64")}:${Buffer.from(message).toString("base64")}:${Buffer.from(signature).toString("base64")}`;
      const known = cache.get(key);
      if (known !== undefined) {
        stats.cacheHits++;
        return known;
      }
      stats.checks++;
      const ok = inner.verify(scheme, publicKey, message, signature);
      if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      cache.set(key, ok);
      return ok;
    },
  };
}
