import type { PeerId } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { PeerAccess } from "./access.js";
import type { NetworkConfig, PeerTarget } from "./config.js";
import { errorMessage, type NetworkLogger } from "./log.js";

/** What the redialer needs from the libp2p node. */
export interface RedialComponents {
  dial(addrs: Multiaddr[], options: { signal: AbortSignal }): Promise<unknown>;
  isConnected(peer: PeerId): boolean;
}

interface TargetState {
  target: PeerTarget;
  attempts: number;
  timer?: NodeJS.Timeout;
  dialing: boolean;
}

/**
 * Keeps the configured peers connected: dials each at start and again whenever it drops, with exponential
 * backoff and jitter bounded by maxDelayMs, forever (a validator that is down for a day must be picked up
 * again when it returns). Peers refused by `access` are retried at the longest delay.
 */
export class Redialer {
  private readonly targets = new Map<string, TargetState>();
  private running = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly components: RedialComponents,
    private readonly access: PeerAccess,
    private readonly params: NetworkConfig["redial"],
    private readonly log: NetworkLogger,
  ) {}

  /** Adds a peer (or more addresses of one) to keep connected, and dials it soon. */
  add(target: PeerTarget): void {
    const id = target.peerId.toString();
    const old = this.targets.get(id);
    if (old === undefined) {
      this.targets.set(id, { target, attempts: 0, dialing: false });
    } else {
      const known = new Set(old.target.addrs.map((a) => a.toString()));
      const addrs = [...old.target.addrs, ...target.addrs.filter((a) => !known.has(a.toString()))];
      old.target = { peerId: old.target.peerId, addrs };
      old.attempts = 0;
    }
    this.schedule(id, 0);
  }

  /** Starts dialling every target. */
  start(): void {
    this.running = true;
    for (const id of this.targets.keys()) this.schedule(id, 0);
  }

  /** Cancels every timer and in-flight dial. */
  stop(): void {
    this.running = false;
    this.abort.abort();
    for (const state of this.targets.values()) {
      if (state.timer !== undefined) clearTimeout(state.timer);
      state.timer = undefined;
    }
  }

  /** A peer dropped: if it is a target, dial it again after the shortest delay. */
  onDisconnect(peer: PeerId): void {
    const state = this.targets.get(peer.toString());
    if (state === undefined) return;
    state.attempts = 0;
    this.schedule(peer.toString(), this.params.minDelayMs);
  }

  /** Something changed (allow-list, bans): retry every disconnected target now. */
  kick(): void {
    for (const [id, state] of this.targets) {
      state.attempts = 0;
      this.schedule(id, 0);
    }
  }

  private schedule(id: string, delayMs: number): void {
    const state = this.targets.get(id);
    if (!this.running || state === undefined || state.dialing) return;
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.attempt(state);
    }, delayMs);
  }

  private backoff(attempts: number): number {
    const { minDelayMs, maxDelayMs } = this.params;
    const exp = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempts, 30));
    return Math.round(exp / 2 + (Math.random() * exp) / 2); // jitter so peers do not redial in lockstep
  }

  private async attempt(state: TargetState): Promise<void> {
    const { peerId, addrs } = state.target;
    const id = peerId.toString();
    if (!this.running || this.targets.get(id) !== state || this.components.isConnected(peerId)) return;
    if (!this.access.isAllowed(peerId)) {
      this.schedule(id, this.params.maxDelayMs);
      return;
    }
    state.dialing = true;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.params.dialTimeoutMs)]);
    try {
      await this.components.dial([...addrs], { signal });
      state.attempts = 0;
      this.log.info("peer dialled", { peer: id });
    } catch (err) {
      state.attempts += 1;
      const delayMs = this.backoff(state.attempts);
      this.log.debug("dial failed", { peer: id, attempt: state.attempts, delayMs, error: errorMessage(err) });
      state.dialing = false;
      this.schedule(id, delayMs);
      return;
    }
    state.dialing = false;
    // A connection can drop between the dial and here; the disconnect event then found us dialling.
    if (!this.components.isConnected(peerId)) this.schedule(id, this.params.minDelayMs);
  }
}
