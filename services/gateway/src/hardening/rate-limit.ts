/** Token bucket per key: `capacity` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  capacity: number;
  perSecond: number;
}

export interface RateLimiter {
  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean;
}

/**
 * Per-key token buckets on an injected clock (ms). Buckets that have refilled completely are forgotten, so
 * the map holds only keys active within the last `capacity / perSecond` seconds.
 */
export function createRateLimiter(limit: RateLimit, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const fullAfterMs = (limit.capacity / limit.perSecond) * 1000;
  let lastSweep = now();
  return {
    take(key) {
      const t = now();
      if (t - lastSweep > fullAfterMs) {
        for (const [k, b] of buckets) if (t - b.at >= fullAfterMs) buckets.delete(k);
        lastSweep = t;
      }
      const bucket = buckets.get(key) ?? { tokens: limit.capacity, at: t };
      const tokens = Math.min(limit.capacity, bucket.tokens + ((t - bucket.at) / 1000) * limit.perSecond);
      if (tokens < 1) {
        buckets.set(key, { tokens, at: t });
        return false;
      }
      buckets.set(key, { tokens: tokens - 1, at: t });
      return true;
    },
  };
}
