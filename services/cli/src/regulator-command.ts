import { decodeRecord, type FreezeRules, fromHex, type RegulatorSet } from "@coken/ledger";
import { type Command, flag, type OptionSpec, type OptionValues, str } from "./command.js";
import type { CommandResult } from "./commands.js";
import { errorOf, RemoteError, requestJson } from "./remote-api.js";
import { txCommand } from "./tx-commands.js";
import { oneOf, uint } from "./tx-flags.js";
import { regulatorSpecs } from "./tx-kinds-credits.js";
import type { TxSpec } from "./tx-spec.js";
import { peerApi, readPeerConfig } from "./tx-target.js";

// `coken regulator ...`: the regulator set's side of freezes (docs/spec/ledger.md §7.4.9, §7.4.10, §10.9).
// freeze and unfreeze are the `coken tx` commands; `rules` reads the rules in force or proposes new ones.

const text = (value: string, description: string): OptionSpec => ({ type: "string", value, description });

/** Every rule off: what a chain without a `freezerules` record runs. */
export const RULES_OFF: FreezeRules = {
  doubleSign: false,
  quotaOverrunBps: 0,
  disputeRateBps: 0,
  disputeMinReceipts: 1,
};

const RULE_FLAGS: Record<string, OptionSpec> = {
  "double-sign": text("on|off", "freeze a double-signing validator's agency (default off)"),
  "quota-overrun-bps": text("BPS", "freeze a grant at this attempted share of its quota, ≥ 10000 (0: off)"),
  "dispute-rate-bps": text("BPS", "freeze a dataset whose disputed share passes this (0: off)"),
  "dispute-min-receipts": text("N", "recorded receipts before the dispute-rate rule applies (default 1)"),
};

/** The whole new rule set from flags; an absent flag is that rule's off value. */
export function rulesFromFlags(v: OptionValues): FreezeRules {
  const n = (name: string, fallback: number) => {
    const value = str(v, name);
    return value === undefined ? fallback : uint(value, name);
  };
  return {
    doubleSign: oneOf(str(v, "double-sign") ?? "off", "double-sign", ["on", "off"] as const) === "on",
    quotaOverrunBps: n("quota-overrun-bps", 0),
    disputeRateBps: n("dispute-rate-bps", 0),
    disputeMinReceipts: n("dispute-min-receipts", 1),
  };
}

const proposeRules: TxSpec = {
  name: "rules",
  kind: "governance.propose",
  summary: "propose new automatic freeze rules",
  options: RULE_FLAGS,
  build: (v) => ({
    kind: "governance.propose",
    payload: { action: { type: "freezeRules.set", rules: rulesFromFlags(v) } },
  }),
};

/** The `regulators` and `freezerules` records as the peer holds them at its last committed height. */
async function rulesInForce(
  api: string,
): Promise<{ height: number; set: RegulatorSet | null; rules: FreezeRules }> {
  const { status, json } = await requestJson(api, "/v1/state/proof?key=regulators&key=freezerules");
  if (status !== 200) {
    throw new RemoteError(
      "BAD_RESPONSE",
      `${api}/v1/state/proof answered ${status} (${errorOf(json)?.code ?? "no code"})`,
    );
  }
  const records = Array.isArray(json.records)
    ? (json.records as { key: string; value: string | null }[])
    : [];
  const record = (key: string) => {
    const hex = records.find((r) => r.key === key)?.value;
    const bytes = typeof hex === "string" ? fromHex(hex) : undefined;
    return bytes === undefined ? undefined : decodeRecord(key, bytes);
  };
  return {
    height: typeof json.height === "number" ? json.height : 0,
    set: (record("regulators") as RegulatorSet | undefined) ?? null,
    rules: (record("freezerules") as FreezeRules | undefined) ?? RULES_OFF,
  };
}

function showRules(r: Awaited<ReturnType<typeof rulesInForce>>, json: boolean): CommandResult {
  if (json) return { code: 0, out: `${JSON.stringify(r)}\n` };
  const { set, rules } = r;
  const lines = [
    `height ${r.height}`,
    set === null
      ? "regulators every agency with the regulator role; threshold 1"
      : `regulators ${set.members.join(",")}; threshold ${set.threshold}`,
    `double-sign ${rules.doubleSign ? "on" : "off"}`,
    `quota-overrun ${rules.quotaOverrunBps === 0 ? "off" : `${rules.quotaOverrunBps} bps of quota`}`,
    `dispute-rate ${
      rules.disputeRateBps === 0
        ? "off"
        : `above ${rules.disputeRateBps} bps once ${rules.disputeMinReceipts} receipts are recorded`
    }`,
  ];
  return { code: 0, out: `${lines.join("\n")}\n` };
}

const spec = (name: string) => regulatorSpecs.find((s) => s.name === name) as TxSpec;
const propose = txCommand(proposeRules, ["regulator", "rules"]);

export const regulatorCommands: Command[] = [
  txCommand(spec("freeze"), ["regulator", "freeze"]),
  txCommand(spec("unfreeze"), ["regulator", "unfreeze"]),
  {
    words: ["regulator", "rules"],
    summary:
      "the regulator set and automatic freeze rules in force; --propose a new rule set through governance",
    details:
      "Without --propose: reads the peer's regulators and freezerules records (absent: every regulator-role\n" +
      "agency, threshold 1; every rule off). With --propose: signs governance.propose freezeRules.set with the\n" +
      "whole new rule set from the flags (an absent flag turns its rule off); validators vote as for any proposal.",
    options: { ...propose.options, propose: { type: "boolean", description: "propose the flags' rule set" } },
    async run(args, env) {
      const v = args.values;
      if (flag(v, "propose")) return propose.run(args, env);
      const file = str(v, "config");
      const api = peerApi(v, file === undefined ? undefined : await readPeerConfig(file));
      try {
        return showRules(await rulesInForce(api), flag(v, "json"));
      } catch (e) {
        if (e instanceof RemoteError) return { code: 1, out: `error ${e.code}: ${e.message}\n` };
        throw e;
      }
    },
  },
];
