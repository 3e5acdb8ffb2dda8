import { loadKeystore } from "@coken/keystore";
import { createHasher, HASH_ALGORITHMS, type HashAlgorithm, type Hasher, type Signer } from "@coken/ledger";
import {
  ConfigError,
  type PeerConfig,
  readPeerConfig as readConfigFile,
  readGenesisFile,
} from "@coken/peer/config";
import { type OptionValues, str } from "./command.js";
import { UsageError } from "./commands.js";
import { baseUrl, RemoteError, requestJson } from "./remote-api.js";

/** Who signs, for which chain, and which peer's API takes the tx. */
export interface TxTarget {
  api: string;
  chainId: string;
  hasher: Hasher;
  agency: string;
  signer: Signer;
}

/** Reads a peer config (JSONC) named by `--config`, as the peer does; a refusal names the file and the field. */
export async function readPeerConfig(file: string): Promise<PeerConfig> {
  try {
    return await readConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--config: ${e.message}`);
    throw e;
  }
}

/** `http://host:port` of a listen address (a wildcard address is reached on loopback). */
export function listenUrl(host: string, port: number, scheme = "http"): string {
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `${scheme}://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

async function chainOfGenesis(file: string): Promise<{ chainId: string; hashAlgorithm: HashAlgorithm }> {
  try {
    const g = await readGenesisFile(file);
    return { chainId: g.chainId, hashAlgorithm: g.hashAlgorithm };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--genesis: ${e.message}`);
    throw e;
  }
}

/** The chain id and hash function from the peer itself (`GET /v1/status`). */
async function chainOfPeer(api: string): Promise<{ chainId: string; hashAlgorithm: HashAlgorithm }> {
  const { status, json } = await requestJson(api, "/v1/status");
  if (status !== 200 || typeof json.chain !== "string")
    throw new RemoteError("BAD_RESPONSE", `${api}/v1/status answered ${status} without a chain id`);
  const algorithm = json.hashAlgorithm ?? "sha256";
  if (!(HASH_ALGORITHMS as readonly unknown[]).includes(algorithm))
    throw new RemoteError("BAD_RESPONSE", `${api}/v1/status names an unknown hash algorithm`);
  return { chainId: json.chain, hashAlgorithm: algorithm as HashAlgorithm };
}

/** The peer's operator API from `--api URL`, else from the api section of the `--config` file. */
export function peerApi(values: OptionValues, config: PeerConfig | undefined): string {
  const apiFlag = str(values, "api");
  if (apiFlag !== undefined) return baseUrl(apiFlag, "--api");
  if (config !== undefined && config.api.port !== 0) return listenUrl(config.api.host, config.api.port);
  throw new UsageError("name the peer: --api URL (its operator API) or --config FILE with api.port set");
}

/** The chain id and hash function: from `--genesis` (or the config's genesis), else from the peer's status. */
export async function chainOf(
  values: OptionValues,
  config: PeerConfig | undefined,
  api: string,
): Promise<{ chainId: string; hashAlgorithm: HashAlgorithm }> {
  const genesis = str(values, "genesis") ?? config?.genesis;
  return genesis !== undefined ? await chainOfGenesis(genesis) : await chainOfPeer(api);
}

/**
 * Resolves `--config`, `--keystore`, `--genesis` and `--api` (flags win over the config) and unlocks the key with
 * COKEN_KEYSTORE_PASSPHRASE. Without a genesis file the chain id comes from the peer's status.
 */
export async function resolveTxTarget(values: OptionValues, env: NodeJS.ProcessEnv): Promise<TxTarget> {
  const configFile = str(values, "config");
  const config = configFile === undefined ? undefined : await readPeerConfig(configFile);
  const keystore = str(values, "keystore") ?? config?.keystore;
  if (keystore === undefined)
    throw new UsageError("name the signing key: --keystore FILE (or --config FILE of the agency's peer)");
  const api = peerApi(values, config);
  const passphrase = env.COKEN_KEYSTORE_PASSPHRASE;
  if (!passphrase) throw new UsageError("set COKEN_KEYSTORE_PASSPHRASE to the keystore passphrase");
  const chain = await chainOf(values, config, api);
  const key = await loadKeystore(keystore, passphrase);
  key.seed.fill(0);
  return {
    api,
    chainId: chain.chainId,
    hasher: createHasher(chain.hashAlgorithm),
    agency: key.agency,
    signer: key.signer,
  };
}
