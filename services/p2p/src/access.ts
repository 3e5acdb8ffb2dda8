import type { PeerId } from "@libp2p/interface";

/** Why a peer is refused right now, or undefined when it is let in. */
export type RefusalReason = "not-allowed" | "banned" | "self";

/**
 * Who may connect: the allow-list (replaced when the validator set changes) minus the peers banned for
 * sending invalid data, until their cooldown ends. The gater, the redialer and the gossip validator all ask it.
 */
export class PeerAccess {
  private allowed: Set<string>;
  private readonly bans = new Map<string, number>(); // peer id -> banned until (ms)

  constructor(
    private readonly self: PeerId,
    allow: readonly PeerId[],
    private readonly now: () => number,
  ) {
    this.allowed = new Set(allow.map((p) => p.toString()));
  }

  /** Replaces the allow-list; returns the ids that were on the old list and are not on the new one. */
  setAllowList(allow: readonly PeerId[]): string[] {
    const next = new Set(allow.map((p) => p.toString()));
    const removed = [...this.allowed].filter((id) => !next.has(id));
    this.allowed = next;
    return removed;
  }

  /** The allow-listed peer ids, this peer's own excluded. */
  allowList(): string[] {
    const self = this.self.toString();
    return [...this.allowed].filter((id) => id !== self);
  }

  /** Refuses `peer` until `untilMs`. */
  ban(peer: PeerId, untilMs: number): void {
    this.bans.set(peer.toString(), untilMs);
  }

  /** When `peer`'s ban ends (ms), or undefined if it is not banned now. */
  bannedUntil(peer: PeerId | string): number | undefined {
    const id = peer.toString();
    const until = this.bans.get(id);
    if (until === undefined) return undefined;
    if (until <= this.now()) {
      this.bans.delete(id);
      return undefined;
    }
    return until;
  }

  /** Why `peer` is refused, or undefined if it may connect. */
  refusal(peer: PeerId | string): RefusalReason | undefined {
    const id = peer.toString();
    if (id === this.self.toString()) return "self";
    if (!this.allowed.has(id)) return "not-allowed";
    if (this.bannedUntil(id) !== undefined) return "banned";
    return undefined;
  }

  /** Whether `peer` may connect now. */
  isAllowed(peer: PeerId | string): boolean {
    return this.refusal(peer) === undefined;
  }
}
