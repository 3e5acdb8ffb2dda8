import type { PeerId } from "@libp2p/interface";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { NetworkError } from "./errors.js";
import { parsePeerId } from "./identity.js";
import { type NetworkLogger, silentLogger } from "./log.js";
import { GOSSIP_TOPICS, type GossipTopic, isGossipTopic } from "./topics.js";

/** How hard invalid data from a peer counts, and what happens when it adds up. */
export interface ScoringInit {
  /** Points taken per report (default 10); `penalties` overrides it per reason. */
  penalty?: number;
  penalties?: Readonly<Record<string, number>>;
  /** A peer whose score falls below this is disconnected and refused (default -100). */
  banThreshold?: number;
  /** How long a banned peer is refused, in ms (default 10 minutes). */
  cooldownMs?: number;
  /** Points a peer regains per minute without reports, up to 0 (default 10). */
  recoveryPerMinute?: number;
}

/** Bounds of the exponential backoff used to keep configured peers connected. */
export interface RedialInit {
  minDelayMs?: number; // default 500
  maxDelayMs?: number; // default 30 s
  dialTimeoutMs?: number; // default 10 s
}

/** Everything a network needs; only chainId, seed, listen and allow are required. */
export interface NetworkInit {
  /** Ledger chain id; prefixes the gossip topics and the sync protocol. */
  chainId: string;
  /** 32-byte Ed25519 seed of this peer's libp2p key (from the agency keystore). */
  seed: Uint8Array;
  /** Multiaddrs to listen on, e.g. "/ip4/0.0.0.0/tcp/26656". */
  listen: readonly (string | Multiaddr)[];
  /** Multiaddrs of peers to dial at start and keep connected; each must end in /p2p/<peer id>. */
  peers?: readonly (string | Multiaddr)[];
  /** The peers allowed to connect either way (this peer's own id may be included). */
  allow: readonly (PeerId | string)[];
  /** Gossip messages above this many bytes are refused when published and dropped when received (1 MiB). */
  maxMessageBytes?: number;
  /**
   * Tighter bounds for some topics, each at most maxMessageBytes (e.g. one block part on `parts`): a message above
   * its topic's bound is refused and dropped as one above maxMessageBytes is. Other topics keep maxMessageBytes.
   */
  topicMaxBytes?: Partial<Readonly<Record<GossipTopic, number>>>;
  /** Sync request and response payloads above this many bytes are refused (4 MiB). */
  maxFrameBytes?: number;
  /** Default time limit of a sync request, and of reading one on the serving side (10 s). */
  requestTimeoutMs?: number;
  /** New inbound connections accepted per second from one host before the handshake (default 5). */
  inboundConnectionThreshold?: number;
  redial?: RedialInit;
  scoring?: ScoringInit;
  logger?: NetworkLogger;
  /** Wall clock in ms for scores and bans; tests pass a fake one. */
  now?: () => number;
}

/** A configured peer to keep connected: its id and the addresses to dial. */
export interface PeerTarget {
  readonly peerId: PeerId;
  readonly addrs: readonly Multiaddr[];
}

/** NetworkInit checked and with its defaults filled in. */
export interface NetworkConfig {
  readonly chainId: string;
  readonly seed: Uint8Array;
  readonly listen: readonly Multiaddr[];
  readonly peers: readonly Multiaddr[];
  readonly allow: readonly PeerId[];
  readonly maxMessageBytes: number;
  /** The bound of every topic (maxMessageBytes where `topicMaxBytes` names none). */
  readonly topicMaxBytes: Readonly<Record<GossipTopic, number>>;
  readonly maxFrameBytes: number;
  readonly requestTimeoutMs: number;
  readonly inboundConnectionThreshold: number;
  readonly redial: Required<RedialInit>;
  readonly scoring: Required<ScoringInit>;
  readonly logger: NetworkLogger;
  readonly now: () => number;
}

const CHAIN_ID = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;

function invalid(message: string, cause?: unknown): NetworkError {
  return new NetworkError("INVALID_CONFIG", message, cause === undefined ? undefined : { cause });
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw invalid(`${name} must be a positive integer`);
  return v;
}

function finite(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v)) throw invalid(`${name} must be a finite number`);
  return v;
}

/** Parses a multiaddr from config; refuses malformed text. */
export function parseMultiaddr(value: string | Multiaddr): Multiaddr {
  if (typeof value !== "string") return value;
  try {
    return multiaddr(value);
  } catch (err) {
    throw invalid("malformed multiaddr", err);
  }
}

/** The PeerId at the end of `addr` (its /p2p/ component), or undefined. */
export function peerIdOf(addr: Multiaddr): PeerId | undefined {
  const id = addr.getComponents().findLast((c) => c.name === "p2p")?.value;
  return id === undefined ? undefined : parsePeerId(id);
}

/** Groups dialable peer addresses by peer id; every address must name its peer. */
export function peerTargets(addrs: readonly Multiaddr[], self: PeerId): PeerTarget[] {
  const byId = new Map<string, { peerId: PeerId; addrs: Multiaddr[] }>();
  for (const addr of addrs) {
    const peerId = peerIdOf(addr);
    if (peerId === undefined) throw invalid("a peer multiaddr must end in /p2p/<peer id>");
    if (peerId.equals(self)) continue; // a shared peer list may include ourselves
    const key = peerId.toString();
    const entry = byId.get(key) ?? { peerId, addrs: [] };
    entry.addrs.push(addr);
    byId.set(key, entry);
  }
  return [...byId.values()];
}

function topicBounds(
  given: NetworkInit["topicMaxBytes"],
  maxMessageBytes: number,
): Record<GossipTopic, number> {
  for (const topic of Object.keys(given ?? {}))
    if (!isGossipTopic(topic)) throw invalid(`topicMaxBytes names no gossip topic: ${topic}`);
  const out = {} as Record<GossipTopic, number>;
  for (const topic of GOSSIP_TOPICS) {
    const bound = positiveInt(given?.[topic], maxMessageBytes, `topicMaxBytes.${topic}`);
    if (bound > maxMessageBytes) throw invalid(`topicMaxBytes.${topic} is above maxMessageBytes`);
    out[topic] = bound;
  }
  return out;
}

/** Checks `init` and fills in defaults; throws NetworkError INVALID_CONFIG on the first problem. */
export function resolveConfig(init: NetworkInit): NetworkConfig {
  if (typeof init.chainId !== "string" || !CHAIN_ID.test(init.chainId)) throw invalid("malformed chain id");
  if (!(init.seed instanceof Uint8Array) || init.seed.length !== 32) throw invalid("the seed is 32 bytes");
  if (!Array.isArray(init.listen) || init.listen.length === 0) throw invalid("at least one listen address");
  if (!Array.isArray(init.allow)) throw invalid("allow must be a list of peer ids");
  const redial = init.redial ?? {};
  const minDelayMs = positiveInt(redial.minDelayMs, 500, "redial.minDelayMs");
  const maxDelayMs = positiveInt(redial.maxDelayMs, 30_000, "redial.maxDelayMs");
  if (maxDelayMs < minDelayMs) throw invalid("redial.maxDelayMs is below redial.minDelayMs");
  const scoring = init.scoring ?? {};
  const banThreshold = finite(scoring.banThreshold, -100, "scoring.banThreshold");
  if (banThreshold >= 0) throw invalid("scoring.banThreshold must be negative");
  const penalties = scoring.penalties ?? {};
  const maxMessageBytes = positiveInt(init.maxMessageBytes, 1024 * 1024, "maxMessageBytes");
  for (const [reason, p] of Object.entries(penalties)) finite(p, 0, `scoring.penalties.${reason}`);
  return {
    chainId: init.chainId,
    seed: init.seed,
    listen: init.listen.map(parseMultiaddr),
    peers: (init.peers ?? []).map(parseMultiaddr),
    allow: init.allow.map((p) => (typeof p === "string" ? parsePeerId(p) : p)),
    maxMessageBytes,
    topicMaxBytes: topicBounds(init.topicMaxBytes, maxMessageBytes),
    maxFrameBytes: positiveInt(init.maxFrameBytes, 4 * 1024 * 1024, "maxFrameBytes"),
    requestTimeoutMs: positiveInt(init.requestTimeoutMs, 10_000, "requestTimeoutMs"),
    inboundConnectionThreshold: positiveInt(init.inboundConnectionThreshold, 5, "inboundConnectionThreshold"),
    redial: {
      minDelayMs,
      maxDelayMs,
      dialTimeoutMs: positiveInt(redial.dialTimeoutMs, 10_000, "redial.dialTimeoutMs"),
    },
    scoring: {
      penalty: finite(scoring.penalty, 10, "scoring.penalty"),
      penalties,
      banThreshold,
      cooldownMs: positiveInt(scoring.cooldownMs, 10 * 60_000, "scoring.cooldownMs"),
      recoveryPerMinute: finite(scoring.recoveryPerMinute, 10, "scoring.recoveryPerMinute"),
    },
    logger: init.logger ?? silentLogger,
    now: init.now ?? Date.now,
  };
}
