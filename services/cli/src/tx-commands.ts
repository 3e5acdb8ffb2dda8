import { KeystoreError } from "@coken/keystore";
import { type Command, flag, type OptionSpec, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";
import { queryCommands } from "./query-command.js";
import { RemoteError } from "./remote-api.js";
import { uint } from "./tx-flags.js";
import { catalogSpecs } from "./tx-kinds-catalog.js";
import { accessSpecs, creditSpecs, regulatorSpecs } from "./tx-kinds-credits.js";
import { governanceSpecs } from "./tx-kinds-governance.js";
import type { TxSpec } from "./tx-spec.js";
import { submitTx } from "./tx-submit.js";
import { resolveTxTarget } from "./tx-target.js";

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  config: {
    type: "string",
    value: "FILE",
    description: "the agency's peer config: keystore, genesis and API address from it",
  },
  keystore: {
    type: "string",
    value: "FILE",
    description: "the signing key (passphrase from COKEN_KEYSTORE_PASSPHRASE)",
  },
  genesis: {
    type: "string",
    value: "FILE",
    description: "the network's genesis file (chain id); default: the peer's /v1/status",
  },
  api: { type: "string", value: "URL", description: "the peer's operator API, e.g. http://127.0.0.1:7001" },
  "no-wait": {
    type: "boolean",
    description: "stop once the peer has taken the tx; do not wait for the commit",
  },
  timeout: { type: "string", value: "SECONDS", description: "how long to wait for the commit (default 60)" },
  json: { type: "boolean", description: "print one JSON object (for scripts)" },
};

const FOOTER =
  "Signs the next sequence number (from the peer's /v1/accounts), submits to the peer and waits for the\n" +
  "commit; prints the tx id, height and result. Exit 0 only when the ledger applied it (with --no-wait: when\n" +
  "the peer took it); a refusal prints the ledger's code and exits 1.";

function failure(code: string, message: string, json: boolean): CommandResult {
  return {
    code: 1,
    out: json
      ? `${JSON.stringify({ status: "error", error: { code, message } })}\n`
      : `error ${code}: ${message}\n`,
  };
}

/** The command that signs and submits `spec`'s tx; `words` name it (other groups reuse a spec under theirs). */
export function txCommand(spec: TxSpec, words: string[] = ["tx", spec.name]): Command {
  return {
    words,
    summary: spec.summary,
    details: [spec.details, FOOTER].filter((d) => d !== undefined).join("\n\n"),
    options: { ...spec.options, ...COMMON_OPTIONS },
    async run({ values }, env) {
      const json = flag(values, "json");
      const timeout = str(values, "timeout");
      const timeoutMs = timeout === undefined ? 60_000 : uint(timeout, "timeout") * 1000;
      const request = await spec.build(values);
      try {
        const target = await resolveTxTarget(values, env);
        return await submitTx(target, request, { wait: !flag(values, "no-wait"), timeoutMs, json });
      } catch (e) {
        if (e instanceof RemoteError) return failure(e.code, e.message, json);
        if (e instanceof KeystoreError && json) return failure(`KEYSTORE_${e.code}`, e.message, json);
        throw e;
      }
    },
  };
}

const SPECS: TxSpec[] = [
  ...catalogSpecs,
  ...accessSpecs,
  ...creditSpecs,
  ...regulatorSpecs,
  ...governanceSpecs,
];

/** `coken tx KIND` for an unknown kind, and `coken tx --help`: which commands make which ledger tx. */
const txOverview: Command = {
  words: ["tx"],
  args: "KIND",
  summary: "sign a ledger transaction and submit it to the agency's peer: coken tx KIND --help",
  details: [
    "Transaction commands (ledger kind in brackets):",
    ...SPECS.map((s) => `  coken tx ${s.name.padEnd(16)} [${s.kind}]`),
    "",
    "access.record and access.attest have no command: the gateway writes them, with receipts both agencies",
    "co-signed or with the requester's request signatures.",
    "dataset.commit is usually made by `coken dataset commit` (the peer builds the commitment from its rows).",
    "",
    FOOTER,
  ].join("\n"),
  options: {},
  async run({ positionals }) {
    const [kind] = positionals;
    throw new UsageError(
      kind === undefined
        ? "name the transaction: coken tx KIND (listed below)"
        : `unknown transaction "${kind}" (listed below)`,
    );
  },
};

/**
 * One command per ledger transaction kind, signed with the agency's keystore and submitted to its peer; then
 * `coken query`, which asks through the gateway (the registry lists this array as the peer-client commands).
 */
export const txCommands: Command[] = [txOverview, ...SPECS.map((s) => txCommand(s)), ...queryCommands];
