/** Token bucket per agency: `burst` calls at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateLimiter {
  /** Takes one token for `agency` at `nowMs`; false when its bucket is empty. */
  take(agency: string, nowMs: number): boolean;
}

/** A bounded set of buckets: the least recently refilled is dropped first when too many agencies call. */
export function createRateLimiter(limit: RateLimit, maxAgencies = 4096): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(agency, nowMs) {
      let b = buckets.get(agency);
      if (b === undefined) {
        if (buckets.size >= maxAgencies) buckets.delete(buckets.keys().next().value as string);
        b = { tokens: limit.burst, at: nowMs };
      } else {
        buckets.delete(agency);
        const elapsed = Math.max(0, nowMs - b.at);
        b = { tokens: Math.min(limit.burst, b.tokens + (elapsed * limit.perSecond) / 1000), at: nowMs };
      }
      buckets.set(agency, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
