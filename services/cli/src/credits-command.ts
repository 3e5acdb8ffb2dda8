import { readKeystoreFile } from "@coken/keystore";
import type { PeerConfig } from "@coken/peer/config";
import { columns } from "./columns.js";
import { type Command, flag, type OptionSpec, type OptionValues, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";
import { gatewayOf, graphql, QueryRefused } from "./gateway-client.js";
import { RemoteError, requestJson } from "./remote-api.js";
import { txCommand } from "./tx-commands.js";
import { oneOf, uint } from "./tx-flags.js";
import { creditSpecs } from "./tx-kinds-credits.js";
import { chainOf, peerApi, readPeerConfig } from "./tx-target.js";
import { VoucherCheckError, verifyVoucher } from "./voucher-verify.js";

// `coken credits ...`: the 共票 credit scheme (docs/spec/credits.md) from an agency's side. Reads come from the
// peer's operator API and the officials' /graphql of its gateway; transfer and redeem are the `coken tx` commands.

const text = (value: string, description: string): OptionSpec => ({ type: "string", value, description });
const JSON_OPTION: OptionSpec = { type: "boolean", description: "print one JSON object (for scripts)" };
const CONFIG = text("FILE", "this agency's peer config: the peer's API and gateway addresses from it");
const GATEWAY = text("URL", "this agency's gateway, e.g. http://127.0.0.1:8443 (its /graphql)");
const API = text("URL", "the peer's operator API, e.g. http://127.0.0.1:7001");

const spec = (name: string) => {
  const s = creditSpecs.find((c) => c.name === name);
  if (s === undefined) throw new Error(`no tx spec ${name}`);
  return s;
};

const configOf = async (v: OptionValues): Promise<PeerConfig | undefined> => {
  const file = str(v, "config");
  return file === undefined ? undefined : await readPeerConfig(file);
};

function fail(code: string, message: string, json: boolean): CommandResult {
  return {
    code: 1,
    out: json ? `${JSON.stringify({ error: { code, message } })}\n` : `error ${code}: ${message}\n`,
  };
}

/** Runs `body`, turning a remote or GraphQL refusal into its code (exit 1). */
async function reading(v: OptionValues, body: (json: boolean) => Promise<CommandResult>) {
  const json = flag(v, "json");
  try {
    return await body(json);
  } catch (e) {
    if (e instanceof QueryRefused || e instanceof RemoteError || e instanceof VoucherCheckError)
      return fail(e.code, e.message, json);
    throw e;
  }
}

const SUPPLY_DOCUMENT = "query CokenCli_supply { creditSupply { genesis minted burned escrow circulating } }";

async function balance(v: OptionValues): Promise<CommandResult> {
  const config = await configOf(v);
  const keystore = str(v, "keystore") ?? config?.keystore;
  const agency =
    str(v, "agency") ?? (keystore === undefined ? undefined : (await readKeystoreFile(keystore)).agency);
  if (agency === undefined)
    throw new UsageError("name the agency: --agency ID (or --config FILE of its peer, or --keystore FILE)");
  const api = peerApi(v, config);
  return reading(v, async (json) => {
    const { status, json: account } = await requestJson(api, `/v1/accounts/${encodeURIComponent(agency)}`);
    if (status === 404) return fail("UNKNOWN_ACCOUNT", `the ledger holds no account of ${agency}`, json);
    if (status !== 200 || typeof account.balance !== "string")
      throw new RemoteError("BAD_RESPONSE", `${api}/v1/accounts answered ${status} without a balance`);
    // The supply summary needs the officials' endpoint; without a gateway the balance alone is printed.
    const withGateway = str(v, "gateway") !== undefined || config?.gateway !== undefined;
    const supply = withGateway
      ? ((await graphql(await gatewayOf(v), SUPPLY_DOCUMENT, {})) as { creditSupply: Record<string, string> })
          .creditSupply
      : null;
    if (json)
      return {
        code: 0,
        out: `${JSON.stringify({ agency, balance: account.balance, seq: account.seq, supply })}\n`,
      };
    const lines = [`agency ${agency}`, `balance ${account.balance}`, `seq ${String(account.seq)}`];
    if (supply !== null)
      for (const k of ["genesis", "minted", "burned", "escrow", "circulating"])
        lines.push(`supply.${k} ${supply[k]}`);
    return { code: 0, out: `${lines.join("\n")}\n` };
  });
}

const METRICS = ["EARNED", "CONSUMERS", "QUALITY", "SCORE", "CREDITS", "CONTRIBUTIONS"] as const;
const SCOPES = ["AGENCY", "REGION"] as const;
const RANKING_DOCUMENT =
  "query CokenCli_ranking($by: RankingMetric!, $scope: RankingScope!, $first: Int, $epoch: Int) " +
  "{ rankings(by: $by, scope: $scope, first: $first, epoch: $epoch) { rank subject value } " +
  "standing(epoch: $epoch) { epoch height minted } }";

async function ranking(v: OptionValues): Promise<CommandResult> {
  const by = oneOf((str(v, "by") ?? "SCORE").toUpperCase(), "by", METRICS);
  const scope = oneOf((str(v, "scope") ?? "AGENCY").toUpperCase(), "scope", SCOPES);
  const epochText = str(v, "epoch");
  const epoch = epochText === undefined ? null : uint(epochText, "epoch");
  const first = uint(str(v, "first") ?? "10", "first");
  const gw = await gatewayOf(v);
  return reading(v, async (json) => {
    const data = (await graphql(gw, RANKING_DOCUMENT, { by, scope, first, epoch })) as {
      rankings: { rank: number; subject: string; value: string }[];
      standing: { epoch: number; height: number; minted: string } | null;
    };
    const ofEpoch = by !== "CREDITS" && by !== "CONTRIBUTIONS";
    const standing = ofEpoch ? data.standing : null;
    if (json) return { code: 0, out: `${JSON.stringify({ by, scope, standing, entries: data.rankings })}\n` };
    const head = !ofEpoch
      ? `${by} now (current state)`
      : standing === null
        ? `${by}: no settled epoch${epoch === null ? " yet" : ` ${epoch}`}`
        : `${by} in epoch ${standing.epoch} (settled at height ${standing.height}, minted ${standing.minted})`;
    const rows = data.rankings.map((r) => [String(r.rank), r.subject, r.value]);
    return { code: 0, out: `${head}\n${columns(["rank", scope.toLowerCase(), by.toLowerCase()], rows)}` };
  });
}

const CATALOG_DOCUMENT =
  "query CokenCli_redemptionCatalog { redemptionCatalog { id issuer title price stock redeemed } }";

async function catalog(v: OptionValues): Promise<CommandResult> {
  const gw = await gatewayOf(v);
  return reading(v, async (json) => {
    const { redemptionCatalog: offers } = (await graphql(gw, CATALOG_DOCUMENT, {})) as {
      redemptionCatalog: {
        id: string;
        issuer: string;
        title: string;
        price: string;
        stock: number;
        redeemed: number;
      }[];
    };
    if (json) return { code: 0, out: `${JSON.stringify({ offers })}\n` };
    if (offers.length === 0) return { code: 0, out: "the redemption catalog is empty\n" };
    const rows = offers.map((o) => [o.id, o.issuer, o.price, String(o.stock), String(o.redeemed), o.title]);
    return { code: 0, out: columns(["offer", "issuer", "price", "stock", "redeemed", "title"], rows) };
  });
}

async function voucherVerify(v: OptionValues, positionals: string[]): Promise<CommandResult> {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0)
    throw new UsageError("name one voucher: coken credits voucher verify ID");
  const config = await configOf(v);
  const api = peerApi(v, config);
  const quantity = str(v, "quantity");
  const claim = {
    ...(str(v, "holder") === undefined ? {} : { holder: str(v, "holder") }),
    ...(str(v, "issuer") === undefined ? {} : { issuer: str(v, "issuer") }),
    ...(str(v, "offer") === undefined ? {} : { offer: str(v, "offer") }),
    ...(quantity === undefined ? {} : { quantity: uint(quantity, "quantity") }),
  };
  const timeout = str(v, "timeout");
  return reading(v, async (json) => {
    const chain = await chainOf(v, config, api);
    const r = await verifyVoucher(id, claim, {
      api,
      chainId: chain.chainId,
      hashAlgorithm: chain.hashAlgorithm,
      timeoutMs: timeout === undefined ? 15_000 : uint(timeout, "timeout") * 1000,
    });
    const voucher = { ...r.voucher, amount: r.voucher.amount.toString() };
    if (json)
      return {
        code: 0,
        out: `${JSON.stringify({ status: "verified", voucher, tx: r.tx, certified: r.certified })}\n`,
      };
    const c = r.certified;
    return {
      code: 0,
      out: `${[
        ...Object.entries(voucher).map(([k, value]) => `${k === "id" ? "voucher" : k} ${String(value)}`),
        `tx ${r.tx}`,
        `certified block ${c.height} ${c.blockHash}`,
        `appHash ${c.appHash}`,
        `signers ${c.signers.join(",")} (power ${c.power} of ${c.total})`,
        "result verified",
      ].join("\n")}\n`,
    };
  });
}

export const creditsCommands: Command[] = [
  {
    words: ["credits", "balance"],
    summary: "an agency's 共票 credit balance, and the supply (minted, burned, escrow) from the gateway",
    details:
      "The balance and seq come from the peer's /v1/accounts; with a gateway (--gateway, or the config's gateway\n" +
      "section) the supply follows: Σ balances + escrow = genesis + minted − burned (docs/spec/credits.md §2).",
    options: {
      agency: text("ID", "the agency (default: the one of --config's or --keystore's key)"),
      config: CONFIG,
      keystore: text("FILE", "a keystore naming the agency (no passphrase needed)"),
      api: API,
      gateway: GATEWAY,
      json: JSON_OPTION,
    },
    run: ({ values }) => balance(values),
  },
  txCommand(spec("credit-transfer"), ["credits", "transfer"]),
  txCommand(spec("credit-redeem"), ["credits", "redeem"]),
  {
    words: ["credits", "ranking"],
    summary: "rank agencies or regions: by a settled epoch's standing, or by balance or accesses now",
    details:
      "EARNED (reward + fee shares), CONSUMERS, QUALITY and SCORE rank a settled epoch's standing (the latest\n" +
      "unless --epoch); CREDITS and CONTRIBUTIONS rank the current state. Example:\n" +
      "  coken credits ranking --config peer.json --by EARNED --scope REGION",
    options: {
      by: text("METRIC", `${METRICS.join(", ")} (default SCORE)`),
      scope: text("SCOPE", "AGENCY or REGION (default AGENCY)"),
      epoch: text("N", "the settled epoch (default: the latest)"),
      first: text("N", "entries shown (default 10)"),
      config: CONFIG,
      gateway: GATEWAY,
      json: JSON_OPTION,
    },
    run: ({ values }) => ranking(values),
  },
  {
    words: ["credits", "catalog"],
    summary: "the redemption catalog: each offer's issuer, price, stock and units redeemed",
    details:
      "Issuers publish offers with `coken tx credit-offer`; agencies redeem them with `coken credits redeem`.",
    options: { config: CONFIG, gateway: GATEWAY, json: JSON_OPTION },
    run: ({ values }) => catalog(values),
  },
  {
    words: ["credits", "voucher", "verify"],
    args: "ID",
    summary: "check a voucher against the committed chain: its record proved against a certified app hash",
    details:
      "Reads voucher/ID with its state proof from the peer, checks the proof against the app hash in the next\n" +
      "block's header and that block's commit certificate against the validator set of the same proved state,\n" +
      "then finds the credit.redeem tx that wrote it (docs/spec/credits.md §7.4). --holder, --issuer, --offer and\n" +
      "--quantity compare what a voucher presented claims. Exit 0 only when every check holds; an unknown voucher\n" +
      "(its absence is proved too) or a differing claim prints the code (UNKNOWN_VOUCHER, VOUCHER_MISMATCH), exit 1.",
    options: {
      config: CONFIG,
      api: API,
      genesis: text("FILE", "the network's genesis file (chain id); default: the peer's /v1/status"),
      holder: text("AGENCY", "the holder the voucher presented names"),
      issuer: text("AGENCY", "the issuer it names (an issuer passes its own id)"),
      offer: text("ID", "the offer it names"),
      quantity: text("N", "the units it names"),
      timeout: text("SECONDS", "how long to wait for the block that certifies the proof (default 15)"),
      json: JSON_OPTION,
    },
    run: ({ values, positionals }) => voucherVerify(values, positionals),
  },
];
