import { toHex } from "@coken/ledger";
import type { GatewayRepository } from "@coken/store";
import { GatewayError } from "../errors.js";

/**
 * The nonces of requests still inside the replay window, in memory, loaded from the store at start. A claim is
 * decided here, synchronously (so two concurrent copies of one request cannot both pass); the nonce is then
 * persisted — with the receipt, in one transaction, for an answered dataset call; on its own, after the fact, for
 * anything else — so that a restart inside the window keeps refusing it.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private claims = 0;

  constructor(private readonly maxEntries = 1_000_000) {}

  /** A cache holding the nonces the store still keeps at `nowMs`. */
  static async open(repo: Pick<GatewayRepository, "liveNonces">, nowMs: number): Promise<NonceCache> {
    const cache = new NonceCache();
    for (const n of await repo.liveNonces(nowMs)) cache.seen.set(key(n.requester, n.nonce), n.expiresMs);
    return cache;
  }

  /** Records the nonce until `expiresMs`; false when it was recorded already (a replay). */
  claim(requester: string, nonce: Uint8Array, expiresMs: number, nowMs: number): boolean {
    const k = key(requester, nonce);
    if (this.seen.has(k)) return false;
    if (++this.claims % 1024 === 0 || this.seen.size >= this.maxEntries) this.prune(nowMs);
    // Full of live nonces: refuse rather than forget one that could then be replayed.
    if (this.seen.size >= this.maxEntries)
      throw new GatewayError("RATE_LIMITED", "too many requests in the replay window");
    this.seen.set(k, expiresMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    for (const [k, expires] of this.seen) if (expires < nowMs) this.seen.delete(k);
  }
}

const key = (requester: string, nonce: Uint8Array) => `${requester}/${toHex(nonce)}`;
