import type { StoreConfig } from "@coken/store";
import { ConfigError, int, obj, only, resolve, str } from "./config-fields.js";
import { type GatewayConfig, GatewayConfigError, parseGatewayConfig } from "./gateway-config.js";
import { parseZkConfig, type ZkConfig } from "./zk-config.js";

export { ConfigError } from "./config-fields.js";

/** A peer's configuration file (JSON), parsed and checked. Paths are relative to the file's folder. */
export interface PeerConfig {
  genesis: string;
  keystore: string;
  store: StoreConfig;
  p2p: { listen: string; peers: string[] };
  /**
   * The operator API on `host:port`. Dataset endpoints (row import, commit) need the bearer token stored in
   * `tokenFile`; without one they are off.
   */
  api: { host: string; port: number; tokenFile: string | null };
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
  /** Zero-knowledge proving and verifying; absent: this agency answers and asks lookups only. */
  zk?: ZkConfig;
}

const DEFAULT_CONSENSUS: PeerConfig["consensus"] = {
  timeoutProposeMs: 3000,
  timeoutVoteMs: 1000,
  timeoutDeltaMs: 500,
  timeoutCommitMs: 500,
  maxBlockTxs: 10_000,
  maxBlockBytes: 8 << 20,
};

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
  only(c, "$", ["genesis", "keystore", "store", "p2p", "api", "consensus", "gateway", "zk"]);
  const p2p = obj(c.p2p, "$.p2p");
  only(p2p, "$.p2p", ["listen", "peers"]);
  if (!Array.isArray(p2p.peers ?? [])) throw new ConfigError("$.p2p.peers", "expected an array");
  const api = obj(c.api ?? { host: "127.0.0.1", port: 0 }, "$.api");
  only(api, "$.api", ["host", "port", "tokenFile"]);
  const consensus = obj(c.consensus ?? {}, "$.consensus");
  only(consensus, "$.consensus", Object.keys(DEFAULT_CONSENSUS));
  const merged = { ...DEFAULT_CONSENSUS };
  for (const [k, v] of Object.entries(consensus)) {
    merged[k as keyof typeof merged] = int(v, `$.consensus.${k}`, 1, 1 << 30);
  }
  const gateway = c.gateway === undefined ? undefined : gatewaySection(c.gateway, base);
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
      tokenFile: api.tokenFile === undefined ? null : resolve(base, str(api.tokenFile, "$.api.tokenFile")),
    },
    consensus: merged,
    ...(gateway === undefined ? {} : { gateway }),
    ...(c.zk === undefined ? {} : { zk: parseZkConfig(c.zk, base, gateway?.mode === "production") }),
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
