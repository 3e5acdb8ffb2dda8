import type { PeerId } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import type { Multiaddr } from "@multiformats/multiaddr";
import { PeerAccess } from "./access.js";
import {
  type NetworkConfig,
  type NetworkInit,
  type PeerTarget,
  parseMultiaddr,
  peerTargets,
  resolveConfig,
} from "./config.js";
import { NetworkError } from "./errors.js";
import { allowListGater } from "./gater.js";
import { type GossipHandler, GossipRouter } from "./gossip.js";
import { parsePeerId, privateKeyFromSeed } from "./identity.js";
import { errorMessage } from "./log.js";
import { type CokenLibp2p, createNode } from "./node.js";
import { Redialer } from "./redial.js";
import { InvalidDataScores, type PeerScore } from "./scoring.js";
import { type RequestOptions, type SyncHandler, SyncService } from "./sync.js";
import { type GossipTopic, syncProtocol } from "./topics.js";

/** A peer's connection to the other agencies' peers: gossip, block sync, allow-list and misbehaviour scores. */
export interface Network {
  /** This peer's libp2p identity (from the seed). */
  readonly peerId: PeerId;
  readonly chainId: string;
  /** Listens, subscribes and dials the configured peers. A network starts once. */
  start(): Promise<void>;
  /** Closes every connection, listener and timer; requests in flight fail with CLOSED. Idempotent. */
  stop(): Promise<void>;
  /** The addresses this peer listens on, each ending in /p2p/<peer id>. */
  addresses(): Multiaddr[];
  /** Connected allow-listed peers. */
  peers(): PeerId[];
  /** Connected peers that subscribe to `topic` (the ones a publish reaches directly). */
  subscribers(topic: GossipTopic): PeerId[];
  /** Gossips `data` on `topic`; resolves to the number of peers it was sent to (0 is not an error). */
  publish(topic: GossipTopic, data: Uint8Array): Promise<number>;
  /** Calls `handler` for every valid message on `topic` from another peer; returns an unsubscribe function. */
  onMessage(topic: GossipTopic, handler: GossipHandler): () => void;
  /** Sends a sync request to a connected peer and resolves to its answer. */
  request(peer: PeerId, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  /** Sets the handler answering sync requests. */
  handle(handler: SyncHandler): void;
  /** Counts invalid data from `peer`; below the ban threshold it is disconnected and refused for a cooldown. */
  reportInvalid(peer: PeerId | string, reason: string): void;
  /** `peer`'s current score, report counts per reason and ban. */
  peerScore(peer: PeerId | string): PeerScore;
  /** Report counts per reason over all peers. */
  invalidReports(): Readonly<Record<string, number>>;
  /** Replaces the allow-list (validator set change); peers no longer on it are disconnected. */
  setAllowList(peers: readonly (PeerId | string)[]): void;
  /** Adds an address (ending in /p2p/<peer id>) to keep connected, as `init.peers` does. */
  addPeer(addr: string | Multiaddr): void;
  /**
   * Dials `addr` once; resolves to the remote peer id. Peers this node refuses fail with NOT_ALLOWED. A remote
   * that refuses this node is only seen after its side of the handshake: the dial may resolve, then the
   * connection closes at once.
   */
  connect(addr: string | Multiaddr): Promise<PeerId>;
}

/** Builds a network from `init` (checked: INVALID_CONFIG on any problem). Call start() to go online. */
export async function createNetwork(init: NetworkInit): Promise<Network> {
  const config = resolveConfig(init);
  const privateKey = await privateKeyFromSeed(config.seed);
  const peerId = peerIdFromPrivateKey(privateKey);
  const access = new PeerAccess(peerId, config.allow, config.now);
  const targets = peerTargets(config.peers, peerId);
  const node = await createNode(config, privateKey, allowListGater(access, config.logger));
  return new CokenNetwork(config, peerId, access, node, targets);
}

const DIAL_REFUSED = new Set(["DialDeniedError", "ConnectionInterceptedError"]);

class CokenNetwork implements Network {
  readonly chainId: string;
  private state: "new" | "running" | "stopped" = "new";
  private readonly scores: InvalidDataScores;
  private readonly gossip: GossipRouter;
  private readonly sync: SyncService;
  private readonly redialer: Redialer;

  constructor(
    private readonly config: NetworkConfig,
    readonly peerId: PeerId,
    private readonly access: PeerAccess,
    private readonly node: CokenLibp2p,
    targets: readonly PeerTarget[],
  ) {
    const log = config.logger;
    const reportInvalid = (peer: PeerId, reason: string): void => this.reportInvalid(peer, reason);
    this.chainId = config.chainId;
    this.scores = new InvalidDataScores(config.scoring);
    this.gossip = new GossipRouter(
      { pubsub: node.services.pubsub, access, log, reportInvalid },
      config.chainId,
      config.topicMaxBytes,
    );
    const syncComponents = {
      connection: (peer: PeerId) => node.getConnections(peer).find((c) => c.status === "open"),
      handle: (protocol: string, handler: Parameters<CokenLibp2p["handle"]>[1]) =>
        node.handle(protocol, handler),
      access,
      log,
      reportInvalid,
    };
    this.sync = new SyncService(
      syncComponents,
      syncProtocol(config.chainId),
      config.maxFrameBytes,
      config.requestTimeoutMs,
    );
    const redialComponents = {
      dial: (addrs: Multiaddr[], options: { signal: AbortSignal }) => node.dial(addrs, options),
      isConnected: (peer: PeerId) => node.getConnections(peer).length > 0,
    };
    this.redialer = new Redialer(redialComponents, access, config.redial, log);
    for (const target of targets) this.redialer.add(target);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new NetworkError("CLOSED", "a network starts once");
    this.state = "running";
    try {
      await this.node.start();
    } catch (err) {
      this.state = "stopped";
      await Promise.resolve(this.node.stop()).catch(() => {});
      throw new NetworkError("INVALID_CONFIG", `could not start: ${errorMessage(err)}`, { cause: err });
    }
    this.node.addEventListener("peer:connect", this.onConnect);
    this.node.addEventListener("peer:disconnect", this.onDisconnect);
    this.gossip.start();
    await this.sync.start();
    this.redialer.start();
    const addrs = this.addresses().map((a) => a.toString());
    this.config.logger.info("network started", { peer: this.peerId.toString(), addrs });
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    const wasRunning = this.state === "running";
    this.state = "stopped";
    this.redialer.stop();
    this.sync.stop();
    this.gossip.stop();
    this.node.removeEventListener("peer:connect", this.onConnect);
    this.node.removeEventListener("peer:disconnect", this.onDisconnect);
    await this.node.stop();
    if (wasRunning) this.config.logger.info("network stopped", { peer: this.peerId.toString() });
  }

  addresses(): Multiaddr[] {
    return this.node.getMultiaddrs();
  }

  peers(): PeerId[] {
    return this.node.getPeers().filter((p) => this.access.isAllowed(p));
  }

  subscribers(topic: GossipTopic): PeerId[] {
    return this.state === "running" ? this.gossip.subscribers(topic) : [];
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<number> {
    this.assertRunning();
    return this.gossip.publish(topic, data);
  }

  onMessage(topic: GossipTopic, handler: GossipHandler): () => void {
    return this.gossip.on(topic, handler);
  }

  request(peer: PeerId, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array> {
    return this.sync.request(peer, data, options);
  }

  handle(handler: SyncHandler): void {
    this.sync.handle(handler);
  }

  reportInvalid(peer: PeerId | string, reason: string): void {
    const peerId = typeof peer === "string" ? parsePeerId(peer) : peer;
    if (peerId.equals(this.peerId)) return;
    const id = peerId.toString();
    const now = this.config.now();
    const outcome = this.scores.report(id, reason, now);
    this.config.logger.debug("invalid data reported", { peer: id, reason, score: outcome.score });
    if (!outcome.banned) return;
    const until = now + this.config.scoring.cooldownMs;
    this.access.ban(peerId, until);
    this.config.logger.warn("peer banned", { peer: id, reason, until });
    if (this.state === "running") {
      this.node.hangUp(peerId).catch((err: unknown) => {
        this.config.logger.debug("hang up failed", { peer: id, error: errorMessage(err) });
      });
    }
  }

  peerScore(peer: PeerId | string): PeerScore {
    const id = peer.toString();
    const bannedUntil = this.access.bannedUntil(id);
    const view = this.scores.view(id, this.config.now());
    return bannedUntil === undefined ? view : { ...view, bannedUntil };
  }

  invalidReports(): Readonly<Record<string, number>> {
    return this.scores.totalsByReason();
  }

  setAllowList(peers: readonly (PeerId | string)[]): void {
    this.access.setAllowList(peers.map((p) => (typeof p === "string" ? parsePeerId(p) : p)));
    if (this.state !== "running") return;
    for (const peer of this.node.getPeers()) {
      if (this.access.isAllowed(peer)) continue;
      this.config.logger.info("peer no longer allowed", { peer: peer.toString() });
      this.node.hangUp(peer).catch(() => {});
    }
    this.redialer.kick();
  }

  addPeer(addr: string | Multiaddr): void {
    for (const target of peerTargets([parseMultiaddr(addr)], this.peerId)) this.redialer.add(target);
  }

  async connect(addr: string | Multiaddr): Promise<PeerId> {
    this.assertRunning();
    const ma = parseMultiaddr(addr);
    try {
      const connection = await this.node.dial(ma, {
        signal: AbortSignal.timeout(this.config.redial.dialTimeoutMs),
      });
      return connection.remotePeer;
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      const code = DIAL_REFUSED.has(name) ? "NOT_ALLOWED" : "NOT_CONNECTED";
      throw new NetworkError(code, `dial failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  private assertRunning(): void {
    if (this.state !== "running") throw new NetworkError("CLOSED", "network is not running");
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.config.logger.debug("peer connected", { peer: evt.detail.toString() });
  };

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.config.logger.info("peer disconnected", { peer: evt.detail.toString() });
    this.redialer.onDisconnect(evt.detail);
  };
}
