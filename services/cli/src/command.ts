import type { CommandResult } from "./commands.js";

/** One option of a command, as `node:util` parseArgs takes it, with the text `--help` shows. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** What the option is for, one line; `value` names its argument in the help (e.g. "FILE"). */
  description: string;
  value?: string;
  short?: string;
  multiple?: boolean;
  /** Shown as required in the help; the command still checks (and says which is missing). */
  required?: boolean;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The parsed arguments a command runs with. */
export interface CommandArgs {
  values: OptionValues;
  positionals: string[];
  /** The arguments after the command's words, unparsed (for commands that parse their own). */
  rest: string[];
}

/**
 * A `coken` command: its words (`["tx", "grant-issue"]`), help texts and options. `run` gets parsed arguments
 * and the environment and returns what to print; it never writes to the console itself (progress on stderr
 * aside).
 */
export interface Command {
  words: string[];
  summary: string;
  /** Positional arguments, as the synopsis shows them (e.g. "FILE"). */
  args?: string;
  /** Longer help: what the command does, where secrets come from, examples. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** The command parses its own arguments from `rest` (options are still listed in the help). */
  ownParser?: boolean;
  run(args: CommandArgs, env: NodeJS.ProcessEnv): Promise<CommandResult>;
}

/** The string value of an option, or undefined. */
export function str(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** The boolean value of a flag (absent: false). */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
