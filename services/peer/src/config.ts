import { readFile } from "node:fs/promises";
import { dirname, resolve as resolvePath } from "node:path";
import type { HttpServerLimits } from "@coken/gateway";
import { type Genesis, GenesisError, parseGenesis } from "@coken/ledger";
import type { StoreConfig } from "@coken/store";
import { DEFAULT_MEMPOOL_LIMITS } from "./admission.js";
import { ConfigError, expected, int, multiaddrText, obj, only, resolve, str } from "./config-fields.js";
import { configFieldsOf } from "./config-reference.js";
import { type GatewayConfig, GatewayConfigError, parseGatewayConfig } from "./gateway-config.js";
import { parseHttpLimits } from "./http-config.js";
import { parseJson, parseJsonc } from "./json-text.js";
import { parseZkConfig, type ZkConfig } from "./zk-config.js";

export { ConfigError } from "./config-fields.js";
export { CONFIG_REFERENCE, type ConfigField } from "./config-reference.js";
export { parseJson, parseJsonc } from "./json-text.js";

/**
 * A peer's configuration file (JSONC: JSON with comments), parsed and checked. Paths are relative to the file's
 * folder. Every field is described in CONFIG_REFERENCE.
 */
export interface PeerConfig {
  genesis: string;
  keystore: string;
  /** Follow the chain without proposing or voting; the only way to start with a key the chain does not know. */
  observer: boolean;
  store: StoreConfig;
  p2p: { listen: string; peers: string[] };
  /**
   * The operator API on `host:port`. Dataset endpoints (row import, commit) need the bearer token stored in
   * `tokenFile`; without one they are off.
   */
  api: { host: string; port: number; tokenFile: string | null; http: HttpServerLimits };
  consensus: {
    timeoutProposeMs: number;
    timeoutVoteMs: number;
    timeoutDeltaMs: number;
    timeoutCommitMs: number;
    maxBlockTxs: number;
    maxBlockBytes: number;
    /**
     * The share (percent) of `timeoutProposeMs` a proposed block may take to execute, by this node's measured
     * execution time per byte; 0: blocks are bounded by maxBlockBytes and maxBlockTxs only.
     */
    blockExecutionPercent: number;
  };
  /** Bounds of the pool of txs waiting for a block; a tx past them is refused with a retryable error. */
  mempool: { maxTxs: number; maxBytes: number; maxPerSender: number; maxBacklogBlocks: number };
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
  blockExecutionPercent: 25,
};

/** The smallest value of a consensus field (every other is at least 1). */
const CONSENSUS_MIN: Partial<Record<keyof PeerConfig["consensus"], number>> = { blockExecutionPercent: 0 };
const CONSENSUS_MAX: Partial<Record<keyof PeerConfig["consensus"], number>> = { blockExecutionPercent: 100 };

function parseMempool(v: unknown): PeerConfig["mempool"] {
  const m = obj(v ?? {}, "$.mempool");
  only(m, "$.mempool", configFieldsOf("mempool"));
  const field = (k: keyof PeerConfig["mempool"], min = 1, max = 1 << 30) =>
    m[k] === undefined ? DEFAULT_MEMPOOL_LIMITS[k] : int(m[k], `$.mempool.${k}`, min, max);
  return {
    maxTxs: field("maxTxs"),
    maxBytes: field("maxBytes"),
    maxPerSender: field("maxPerSender"),
    maxBacklogBlocks: field("maxBacklogBlocks", 0, 1000),
  };
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
  throw new ConfigError("$.store.kind", expected(s.kind, '"pglite" or "postgres"'));
}

/** Parses a config document; `base` is the folder relative paths are taken from. Throws only ConfigError. */
export function parsePeerConfig(doc: unknown, base: string): PeerConfig {
  const c = obj(doc, "$");
  only(c, "$", configFieldsOf(""));
  const observer = c.observer ?? false;
  if (typeof observer !== "boolean") throw new ConfigError("$.observer", "expected true or false");
  const p2p = obj(c.p2p, "$.p2p");
  only(p2p, "$.p2p", configFieldsOf("p2p"));
  if (!Array.isArray(p2p.peers ?? []))
    throw new ConfigError("$.p2p.peers", "expected an array of multiaddrs");
  const api = obj(c.api ?? { host: "127.0.0.1", port: 0 }, "$.api");
  only(api, "$.api", configFieldsOf("api"));
  const consensus = obj(c.consensus ?? {}, "$.consensus");
  only(consensus, "$.consensus", Object.keys(DEFAULT_CONSENSUS));
  const merged = { ...DEFAULT_CONSENSUS };
  for (const [k, v] of Object.entries(consensus)) {
    const key = k as keyof typeof merged;
    merged[key] = int(v, `$.consensus.${k}`, CONSENSUS_MIN[key] ?? 1, CONSENSUS_MAX[key] ?? 1 << 30);
  }
  const gateway = c.gateway === undefined ? undefined : gatewaySection(c.gateway, base);
  return {
    genesis: resolve(base, str(c.genesis, "$.genesis")),
    keystore: resolve(base, str(c.keystore, "$.keystore")),
    observer,
    store: parseStore(c.store, base),
    p2p: {
      listen: multiaddrText(p2p.listen, "$.p2p.listen", false),
      peers: ((p2p.peers ?? []) as unknown[]).map((p, i) => multiaddrText(p, `$.p2p.peers[${i}]`, true)),
    },
    api: {
      host: str(api.host ?? "127.0.0.1", "$.api.host"),
      port: int(api.port ?? 0, "$.api.port", 0, 65535),
      tokenFile: api.tokenFile === undefined ? null : resolve(base, str(api.tokenFile, "$.api.tokenFile")),
      http: parseHttpLimits(api.http, "$.api.http", (path, reason) => new ConfigError(path, reason)),
    },
    consensus: merged,
    mempool: parseMempool(c.mempool),
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

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError("", `cannot read the ${what}${code === undefined ? "" : ` (${code})`}`, { file });
  }
}

/**
 * Reads a peer's config file (JSONC); relative paths in it are taken from its folder. Every refusal is a
 * ConfigError naming `file` (as given), the field's path and what was expected.
 */
export async function readPeerConfig(file: string): Promise<PeerConfig> {
  return parsePeerConfigText(await readText(file, "config file"), file);
}

/** Parses a config file's text (JSONC) as readPeerConfig does; `file` names it and locates relative paths. */
export function parsePeerConfigText(text: string, file: string): PeerConfig {
  const doc = parseJsonc(text, file);
  try {
    return parsePeerConfig(doc, dirname(resolvePath(file)));
  } catch (e) {
    if (e instanceof ConfigError) throw e.inFile(file);
    throw e;
  }
}

/**
 * Reads and checks a genesis file (strict JSON, parsed as JSON.parse does since its value is hashed). Every
 * refusal is a ConfigError naming `file`, e.g. `genesis.json: $.agencies[0].publicKey: missing`.
 */
export async function readGenesisFile(file: string): Promise<Genesis> {
  const doc = parseJson(await readText(file, "genesis file"), file);
  try {
    return parseGenesis(doc);
  } catch (e) {
    if (e instanceof GenesisError) throw new ConfigError(e.path, e.reason, { file });
    throw e;
  }
}
