import type { NetworkConfig } from "./config.js";

/** A peer's standing as seen by this node. */
export interface PeerScore {
  /** 0 is clean; reports push it down, quiet time brings it back up to 0. */
  readonly score: number;
  /** How many reports of each reason this peer has had since this node started. */
  readonly reasons: Readonly<Record<string, number>>;
  /** When its current ban ends (ms), if it is banned. */
  readonly bannedUntil?: number;
}

/** What one report did. */
export interface ReportOutcome {
  readonly score: number;
  /** True when this report pushed the peer below the ban threshold (the caller disconnects it). */
  readonly banned: boolean;
}

interface Entry {
  score: number;
  at: number; // when score was last brought up to date
  reasons: Map<string, number>;
}

/**
 * Local accounting of invalid data per peer: each report takes a penalty; below the threshold the peer is
 * banned for a cooldown and its score starts again from 0. Pure bookkeeping: time is passed in.
 */
export class InvalidDataScores {
  private readonly peers = new Map<string, Entry>();
  private readonly totals = new Map<string, number>();

  constructor(private readonly params: NetworkConfig["scoring"]) {}

  /** Records one report of `reason` against `peer` at time `now` (ms). */
  report(peer: string, reason: string, now: number): ReportOutcome {
    const entry = this.current(peer, now);
    entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
    this.totals.set(reason, (this.totals.get(reason) ?? 0) + 1);
    entry.score -= this.params.penalties[reason] ?? this.params.penalty;
    if (entry.score < this.params.banThreshold) {
      entry.score = 0; // the ban is the punishment; after it the peer starts clean
      return { score: entry.score, banned: true };
    }
    return { score: entry.score, banned: false };
  }

  /** `peer`'s score and report counts at time `now`. */
  view(peer: string, now: number): PeerScore {
    const entry = this.peers.get(peer);
    if (entry === undefined) return { score: 0, reasons: {} };
    return { score: this.current(peer, now).score, reasons: Object.fromEntries(entry.reasons) };
  }

  /** Report counts per reason over all peers. */
  totalsByReason(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.totals);
  }

  private current(peer: string, now: number): Entry {
    let entry = this.peers.get(peer);
    if (entry === undefined) {
      entry = { score: 0, at: now, reasons: new Map() };
      this.peers.set(peer, entry);
    }
    const elapsed = Math.max(0, now - entry.at);
    entry.score = Math.min(0, entry.score + (elapsed / 60_000) * this.params.recoveryPerMinute);
    entry.at = now;
    return entry;
  }
}
