import { createVerifier, type Genesis, toHex } from "@coken/ledger";
import { BlockJsonError, blockFromJson, ConfigError, readGenesisFile } from "@coken/peer/config";
import { type BlockSource, ReplayError, replayChain, type StoredBlock } from "@coken/store";
import { type CommandResult, heightLines } from "./commands.js";
import { baseUrl, errorOf, RemoteError, requestJson } from "./remote-api.js";

/** Blocks per request: the API's largest page (it may send fewer when they are large). */
const PAGE = 100;

async function readGenesis(file: string): Promise<Genesis | CommandResult> {
  try {
    return await readGenesisFile(file);
  } catch (e) {
    if (e instanceof ConfigError) return { code: 1, out: `${e.message}\n` };
    throw e;
  }
}

async function getOk(api: string, path: string): Promise<Record<string, unknown>> {
  const { status, json } = await requestJson(api, path);
  if (status !== 200) {
    const code = errorOf(json)?.code ?? `HTTP_${status}`;
    throw new RemoteError("BAD_RESPONSE", `${api}${path} answered ${status} (${code})`);
  }
  return json;
}

/** The blocks a peer serves on `GET /v1/chain/blocks`, parsed (untrusted: anything malformed is UNDECODABLE). */
export function remoteBlockSource(api: string): BlockSource {
  const page = async (from: number, limit: number): Promise<StoredBlock[]> => {
    const json = await getOk(api, `/v1/chain/blocks?from=${from}&limit=${Math.min(limit, PAGE)}`);
    if (!Array.isArray(json.blocks))
      throw new ReplayError("UNDECODABLE", from, "the answer holds no blocks array");
    return json.blocks.map((b, i) => {
      try {
        return blockFromJson(b, `$.blocks[${i}]`);
      } catch (e) {
        if (e instanceof BlockJsonError) throw new ReplayError("UNDECODABLE", from + i, e.message);
        throw e;
      }
    });
  };
  return {
    genesisBlock: async () => (await page(0, 1))[0] ?? null,
    blocks: page,
  };
}

/**
 * `coken chain verify --api URL --genesis FILE`: replays a live peer's chain, fetched over its operator API,
 * from genesis with the pure ledger (block hashes, certificates, tx results, app hashes), up to the height the
 * peer reported when asked, and checks that the app hash the peer reports at that height (`GET /v1/blocks/{h}`) is
 * the replay's. The newest block counts as verified only with its certificate (the commit the API serves with it).
 */
export async function chainVerifyRemote(
  genesisFile: string,
  apiUrl: string,
  progress: (height: number) => void = () => {},
): Promise<CommandResult> {
  const genesis = await readGenesis(genesisFile);
  if ("code" in genesis) return genesis;
  const api = baseUrl(apiUrl, "--api");
  try {
    const status = await getOk(api, "/v1/status");
    if (status.chain !== genesis.chainId)
      return {
        code: 1,
        out: `chain does not verify: the peer runs chain ${String(status.chain)}, not ${genesis.chainId}\n`,
      };
    const height = status.height;
    if (typeof height !== "number") throw new RemoteError("BAD_RESPONSE", `${api}/v1/status has no height`);
    const report = await replayChain(remoteBlockSource(api), genesis, createVerifier(), {
      upTo: height,
      onBlock: progress,
    });
    if (report.height < height)
      throw new ReplayError(
        "HEIGHT_GAP",
        report.height + 1,
        `the peer reports height ${height} but served no block here`,
      );
    const reported = await getOk(api, `/v1/blocks/${report.height}`);
    const replayed = toHex(report.appHash);
    if (reported.appHash !== replayed)
      throw new ReplayError(
        "APP_HASH_MISMATCH",
        report.height,
        `the peer reports app hash ${String(reported.appHash)}, the replay gives ${replayed}`,
      );
    return {
      code: 0,
      out: `${heightLines(report)}appHash ${replayed}\ntxs ${report.txs}\nreceipts ${report.receipts}\npeer ${api}\n`,
    };
  } catch (e) {
    if (e instanceof ReplayError)
      return { code: 1, out: `chain does not verify: ${e.code} at ${e.message}\n` };
    if (e instanceof RemoteError) return { code: 1, out: `error ${e.code}: ${e.message}\n` };
    throw e;
  }
}
