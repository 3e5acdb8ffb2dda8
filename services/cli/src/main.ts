#!/usr/bin/env node
import { parseArgs } from "node:util";
import { KeystoreError } from "@coken/keystore";
import {
  type CommandResult,
  chainVerify,
  genesisCheck,
  keysGenerate,
  keysShow,
  UsageError,
} from "./commands.js";
import { dataImport, datasetCommit } from "./dataset-command.js";
import { peerStart } from "./peer-command.js";
import { zkCommand } from "./zk-command.js";

const USAGE = `usage:
  coken keys generate --agency ID --out FILE   (passphrase from COKEN_KEYSTORE_PASSPHRASE)
  coken keys show FILE
  coken genesis check FILE
  coken chain verify --genesis FILE (--pglite DIR | --postgres URL)
  coken peer start --config FILE               (passphrase from COKEN_KEYSTORE_PASSPHRASE)
  coken data import --api URL --dataset ID --file ROWS.ndjson [--batch N]   (token from COKEN_API_TOKEN)
  coken dataset commit --api URL --dataset ID                          (token from COKEN_API_TOKEN)
  coken zk build [--circuits ID,...] [--dev | --ptau FILE [--verify-ptau]] [--cache DIR]
  coken zk ceremony init --dir DIR [--circuits ID,...] (--ptau FILE | --dev)
  coken zk ceremony contribute --dir DIR --agency ID   (extra entropy from COKEN_ZK_ENTROPY)
  coken zk ceremony verify --dir DIR
  coken zk ceremony finalize --dir DIR [--min N]
`;

async function run(argv: string[]): Promise<CommandResult> {
  if (argv[0] === "zk") return zkCommand(argv.slice(1), process.env);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      agency: { type: "string" },
      out: { type: "string" },
      genesis: { type: "string" },
      pglite: { type: "string" },
      postgres: { type: "string" },
      config: { type: "string" },
      api: { type: "string" },
      dataset: { type: "string" },
      file: { type: "string" },
      batch: { type: "string" },
    },
  });
  const [group, command, arg] = positionals;
  if (group === "keys" && command === "generate") {
    if (!values.agency || !values.out) throw new UsageError("keys generate needs --agency and --out");
    return keysGenerate({ agency: values.agency, out: values.out }, process.env);
  }
  if (group === "keys" && command === "show" && arg) return keysShow(arg);
  if (group === "genesis" && command === "check" && arg) return genesisCheck(arg);
  if (group === "peer" && command === "start") {
    if (!values.config) throw new UsageError("peer start needs --config");
    return { code: await peerStart(values.config, process.env), out: "" };
  }
  if (group === "data" && command === "import") return dataImport(values, process.env);
  if (group === "dataset" && command === "commit") return datasetCommit(values, process.env);
  if (group === "chain" && command === "verify") {
    const { genesis, pglite, postgres } = values;
    if (!genesis || (pglite === undefined) === (postgres === undefined)) {
      throw new UsageError("chain verify needs --genesis and one of --pglite or --postgres");
    }
    return chainVerify(
      genesis,
      pglite !== undefined
        ? { kind: "pglite", dataDir: pglite }
        : { kind: "postgres", url: postgres as string },
    );
  }
  throw new UsageError("unknown command");
}

run(process.argv.slice(2)).then(
  (r) => {
    process.stdout.write(r.out);
    process.exitCode = r.code;
  },
  (e: unknown) => {
    const parseError = String((e as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS");
    if (e instanceof UsageError || parseError) {
      process.stderr.write(`${(e as Error).message}\n${USAGE}`);
      process.exitCode = 2;
    } else if (e instanceof KeystoreError) {
      process.stderr.write(`keystore: ${e.code}: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
