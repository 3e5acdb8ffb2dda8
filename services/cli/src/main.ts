#!/usr/bin/env node
import { parseArgs } from "node:util";
import { KeystoreError } from "@coken/keystore";
import type { Command } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";
import { commandHelp, commandsUnder, findCommand, overviewHelp } from "./help.js";
import { COMMANDS } from "./registry.js";

/** Thrown for a usage problem of one command: its help follows the message. */
class CommandUsageError extends Error {
  constructor(
    readonly command: Command,
    message: string,
  ) {
    super(message);
  }
}

const wantsHelp = (argv: readonly string[]) => argv.includes("--help") || argv.includes("-h");

async function run(argv: string[]): Promise<CommandResult> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    const under = argv[0] === "help" ? argv.slice(1) : [];
    const found = findCommand(COMMANDS, under);
    if (found !== null) return { code: 0, out: commandHelp(found.command) };
    return { code: argv.length === 0 ? 2 : 0, out: overviewHelp(COMMANDS) };
  }
  const found = findCommand(COMMANDS, argv);
  if (found === null) {
    const words = argv.filter((a) => !a.startsWith("-"));
    for (let n = words.length; n > 0; n--) {
      const under = commandsUnder(COMMANDS, words.slice(0, n));
      if (under.length > 0) {
        if (wantsHelp(argv)) return { code: 0, out: overviewHelp(under) };
        throw new UsageError(
          `unknown command "${words.join(" ")}"; did you mean one of:\n${under.map((c) => `  coken ${c.words.join(" ")}`).join("\n")}`,
        );
      }
    }
    throw new UsageError(`unknown command "${words.join(" ")}" (coken --help lists them)`);
  }
  const { command, used } = found;
  const rest = argv.slice(used);
  if (wantsHelp(rest)) return { code: 0, out: commandHelp(command) };
  if (command.ownParser) return command.run({ values: {}, positionals: [], rest }, process.env);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: command.args !== undefined,
      options: Object.fromEntries(
        Object.entries(command.options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
    });
  } catch (e) {
    throw new CommandUsageError(command, (e as Error).message);
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, rest }, process.env);
  } catch (e) {
    if (e instanceof UsageError) throw new CommandUsageError(command, e.message);
    throw e;
  }
}

run(process.argv.slice(2)).then(
  (r) => {
    process.stdout.write(r.out);
    process.exitCode = r.code;
  },
  (e: unknown) => {
    const parseError = String((e as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS");
    if (e instanceof CommandUsageError) {
      process.stderr.write(`${e.message}\n\n${commandHelp(e.command)}`);
      process.exitCode = 2;
    } else if (e instanceof UsageError || parseError) {
      process.stderr.write(`${(e as Error).message}\n`);
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
