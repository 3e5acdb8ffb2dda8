import { posix } from "node:path";
import { filesNamed, foldersWritten, parseConfig } from "./peer-files.js";
import type { ReadFile } from "./repo.js";

/** A unit file: section → key → every value assigned to it, in order (systemd keys may repeat). */
export type Unit = Map<string, Map<string, string[]>>;

/** Parses a systemd unit file: sections, `Key=value` lines, comments (# and ;) and backslash continuations. */
export function parseUnit(text: string, file: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1] as string, section);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`${file}:${i + 1}: not a section header or Key=value`);
    section.set(kv[1] as string, [...(section.get(kv[1] as string) ?? []), (kv[2] as string).trim()]);
  }
  return unit;
}

/** The last value of a key (the one in force), or undefined. */
export function value(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** What a peer's template unit must say, beyond what systemd itself requires. */
const REQUIRED: [string, string, RegExp][] = [
  ["Unit", "Description", /./],
  ["Unit", "After", /network-online\.target/],
  ["Service", "User", /^(?!root$)\S+$/],
  ["Service", "EnvironmentFile", /%i/],
  ["Service", "ExecStart", /--max-old-space-size=\d+ .* peer start --config \S*%i\S*/],
  ["Service", "Restart", /^(on-failure|always)$/],
  ["Service", "NoNewPrivileges", /^yes$/],
  ["Service", "ProtectSystem", /^strict$/],
  ["Service", "ProtectHome", /^(yes|read-only|tmpfs)$/],
  ["Service", "PrivateTmp", /^yes$/],
  ["Service", "PrivateDevices", /^yes$/],
  ["Service", "ReadWritePaths", /\S/],
  ["Service", "CapabilityBoundingSet", /^$/],
  ["Install", "WantedBy", /multi-user\.target/],
];

/**
 * Problems of a peer's template unit `coken-peer@.service`: the sections and keys above. It must not set
 * MemoryDenyWriteExecute, which would stop V8 from compiling.
 */
export function checkUnit(unit: Unit): string[] {
  const problems = REQUIRED.filter(([s, k, re]) => !re.test(value(unit, s, k) ?? "\u0000")).map(
    ([s, k, re]) => `[${s}] ${k} must match ${re}`,
  );
  if (value(unit, "Service", "MemoryDenyWriteExecute") === "yes")
    problems.push("[Service] MemoryDenyWriteExecute=yes stops V8's JIT compiler");
  return problems;
}

/**
 * Problems of running `config` (the example peer.json) as instance `instance` of the unit: the config is the one
 * ExecStart names, what the peer writes is under ReadWritePaths, what it reads is outside the homes that
 * ProtectHome hides, and the EnvironmentFile sits beside the config.
 */
export function checkInstance(unit: Unit, instance: string, configFile: string, read: ReadFile): string[] {
  const expand = (s: string) => s.replaceAll("%i", instance);
  const exec = expand(value(unit, "Service", "ExecStart") ?? "");
  const configPath = /--config (\S+)/.exec(exec)?.[1] ?? "";
  const config = parseConfig(read(configFile), configPath);
  const writable = (value(unit, "Service", "ReadWritePaths") ?? "").split(/\s+/).map(expand);
  const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir.replace(/\/$/, "")}/`);
  const problems: string[] = [];
  for (const f of foldersWritten(config))
    if (!writable.some((d) => under(f.path, d)))
      problems.push(`${f.field} ${f.path} is not in ReadWritePaths`);
  for (const f of filesNamed(config))
    if (["/home", "/root", "/run/user"].some((d) => under(f.path, d)))
      problems.push(`${f.field} ${f.path} is hidden by ProtectHome`);
  const env = expand(value(unit, "Service", "EnvironmentFile") ?? "").replace(/^-/, "");
  if (posix.dirname(env) !== posix.dirname(configPath))
    problems.push(`EnvironmentFile ${env} is not beside the config ${configPath}`);
  return problems;
}
