import type { Command } from "./command.js";

const PROGRAM = "coken";

function synopsis(c: Command): string {
  const required = Object.entries(c.options)
    .filter(([, o]) => o.required)
    .map(([name, o]) => `--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
  return [PROGRAM, ...c.words, ...(c.args ? [c.args] : []), ...required, "[options]"].join(" ");
}

/** The help of one command: synopsis, what it does, every option. */
export function commandHelp(c: Command): string {
  const lines = [`usage: ${synopsis(c)}`, "", c.summary];
  if (c.details) lines.push("", c.details.trimEnd());
  const options = Object.entries(c.options);
  const width = Math.max(
    12,
    ...options.map(([n, o]) => n.length + (o.type === "string" ? (o.value ?? "VALUE").length + 1 : 0)),
  );
  lines.push("", "options:");
  for (const [name, o] of options) {
    const left = `--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    const short = o.short ? `-${o.short}, ` : "    ";
    lines.push(
      `  ${short}${left.padEnd(width + 2)}  ${o.description}${o.required ? " (required)" : ""}${o.multiple ? " (repeatable)" : ""}`,
    );
  }
  lines.push(`      ${"--help".padEnd(width + 2)}  this help`);
  return `${lines.join("\n")}\n`;
}

/** `coken --help`: every command with its one-line summary, grouped by first word. */
export function overviewHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(" ").length + (c.args ? c.args.length + 1 : 0)));
  const lines = [
    `usage: ${PROGRAM} <command> [options]      (${PROGRAM} <command> --help for its options)`,
    "",
    "Coken: a cross-region government data-sharing exchange. Commands:",
  ];
  let group = "";
  for (const c of commands) {
    if (c.words[0] !== group) {
      group = c.words[0] ?? "";
      lines.push("");
    }
    const name = [...c.words, ...(c.args ? [c.args] : [])].join(" ");
    lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  }
  lines.push(
    "",
    "Secrets come from the environment: COKEN_KEYSTORE_PASSPHRASE (keystores), COKEN_API_TOKEN (operator API).",
    "Docs: README.md, docs/operations.md, docs/spec/.",
  );
  return `${lines.join("\n")}\n`;
}

/** The command whose words start `argv` (the longest such), and how many words it took. */
export function findCommand(
  commands: readonly Command[],
  argv: readonly string[],
): { command: Command; used: number } | null {
  let best: { command: Command; used: number } | null = null;
  for (const command of commands) {
    const n = command.words.length;
    if (n <= argv.length && command.words.every((w, i) => argv[i] === w) && (best === null || n > best.used))
      best = { command, used: n };
  }
  return best;
}

/** Commands whose words begin with the given ones (for "did you mean" on a partial command). */
export function commandsUnder(commands: readonly Command[], words: readonly string[]): Command[] {
  return commands.filter((c) => words.every((w, i) => c.words[i] === w));
}
