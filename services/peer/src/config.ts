import type { StoreConfig } from "@coken/store";
import { type GatewayConfig, GatewayConfigError, parseGatewayConfig } from "./gateway-config.js";

/** A peer's configuration file (JSON), parsed and checked. Paths are relative to the file's folder. */
export interface PeerConfig {
  genesis: string;
  keystore: string;
  store: StoreConfig;
  p2p: { listen: string; peers: string[] };
  api: { host: string; port: number };
  consensus: {
    timeoutProposeMs: number;
    timeoutVoteMs: number;
    timeoutDeltaMs: number;
    timeoutCommitMs: number;
    maxBlockTxs: number;
    maxBlockBytes: number;
  };
  /** The GraphQL gateway (officials' `/graphql` and other agencies' `/peer/graphql`); absent: not started. */
  gateway?: GatewayConfig;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`config ${path}: ${message}`);
  }
}

const DEFAULT_CONSENSUS: PeerConfig["consensus"] = {
  timeoutProposeMs: 3000,
  timeoutVoteMs: 1000,
  timeoutDeltaMs: 500,
  timeoutCommitMs: 500,
  maxBlockTxs: 10_000,
  maxBlockBytes: 8 << 20,
};

type Json = Record<string, unknown>;

function obj(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConfigError(path, "expected an object");
  return v as Json;
}

function only(o: Json, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new ConfigError(`${path}.${k}`, "unknown field");
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, "expected a non-empty string");
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(path, `expected an integer in ${min}..${max}`);
  }
  return v;
}

function resolve(base: string, p: string): string {
  return p.startsWith("/") ? p : `${base.replace(/\/$/, "")}/${p}`;
}

function parseStore(v: unknown, base: string): StoreConfig {
  const s = obj(v, "$.store");
  if (s.kind === "pglite") {
    only(s, "$.store", ["kind", "dataDir"]);
    return { kind: "pglite", dataDir: resolve(base, str(s.dataDir, "$.store.dataDir")) };
  }
  if (s.kind === "postgres") {
    only(s, "$.store", ["kind", "url", "poolSize"]);
    const url = str(s.url, "$.store.url");
    return s.poolSize === undefined
      ? { kind: "postgres", url }
      : { kind: "postgres", url, poolSize: int(s.poolSize, "$.store.poolSize", 1, 100) };
  }
  throw new ConfigError("$.store.kind", 'expected "pglite" or "postgres"');
}

/** Parses a config document; `base` is the folder relative paths are taken from. Throws only ConfigError. */
export function parsePeerConfig(doc: unknown, base: string): PeerConfig {
  const c = obj(doc, "$");
  only(c, "$", ["genesis", "keystore", "store", "p2p", "api", "consensus", "gateway"]);
  const p2p = obj(c.p2p, "$.p2p");
  only(p2p, "$.p2p", ["listen", "peers"]);
  if (!Array.isArray(p2p.peers ?? [])) throw new ConfigError("$.p2p.peers", "expected an array");
  const api = obj(c.api ?? { host: "127.0.0.1", port: 0 }, "$.api");
  only(api, "$.api", ["host", "port"]);
  const consensus = obj(c.consensus ?? {}, "$.consensus");
  only(consensus, "$.consensus", Object.keys(DEFAULT_CONSENSUS));
  const merged = { ...DEFAULT_CONSENSUS };
  for (const [k, v] of Object.entries(consensus)) {
    merged[k as keyof typeof merged] = int(v, `$.consensus.${k}`, 1, 1 << 30);
  }
  return {
    genesis: resolve(base, str(c.genesis, "$.genesis")),
    keystore: resolve(base, str(c.keystore, "$.keystore")),
    store: parseStore(c.store, base),
    p2p: {
      listen: str(p2p.listen, "$.p2p.listen"),
      peers: ((p2p.peers ?? []) as unknown[]).map((p, i) => str(p, `$.p2p.peers[${i}]`)),
    },
    api: {
      host: str(api.host ?? "127.0.0.1", "$.api.host"),
      port: int(api.port ?? 0, "$.api.port", 0, 65535),
    },
    consensus: merged,
    ...(c.gateway === undefined ? {} : { gateway: gatewaySection(c.gateway, base) }),
  };
}

function gatewaySection(v: unknown, base: string): GatewayConfig {
  try {
    return parseGatewayConfig(v, base);
  } catch (e) {
    if (e instanceof GatewayConfigError) throw new ConfigError(e.path, e.message);
    throw e;
  }
}
