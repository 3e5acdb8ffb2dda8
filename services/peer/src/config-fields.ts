import { resolve as resolvePath } from "node:path";
import { parsePeerId } from "@coken/p2p";
import { multiaddr } from "@multiformats/multiaddr";

/** The file a config problem is in and, for a syntax error, where in it (1-based line and column). */
export interface ConfigLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * A problem in a file a peer starts from (its config, its genesis) at a JSON path ("" for the whole file);
 * `reason` says what was expected. The message reads `FILE: $.path: reason` once the file is known.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly location?: ConfigLocation,
  ) {
    const where =
      location === undefined
        ? "config"
        : location.line === undefined
          ? `${location.file}:`
          : `${location.file}:${location.line}:${location.column ?? 1}:`;
    super(path === "" ? `${where} ${reason}` : `${where} ${path}: ${reason}`);
  }

  /** The same problem, located in `file`. */
  inFile(file: string): ConfigError {
    return new ConfigError(this.path, this.reason, { ...this.location, file });
  }
}

export type Json = Record<string, unknown>;

/** What a refusal says: "missing" first when the field is absent, so the operator knows to add it. */
export function expected(v: unknown, what: string): string {
  return v === undefined ? `missing (expected ${what})` : `expected ${what}`;
}

export function obj(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConfigError(path, expected(v, "an object"));
  return v as Json;
}

export function only(o: Json, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new ConfigError(`${path}.${k}`, "unknown field");
}

export function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, expected(v, "a non-empty string"));
  return v;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(path, expected(v, `an integer in ${min}..${max}`));
  }
  return v;
}

/**
 * A multiaddr, checked with the libp2p parser; `dialable` also requires the /p2p/<peer id> that names whom to
 * dial (and so whom to expect at the other end).
 */
export function multiaddrText(v: unknown, path: string, dialable: boolean): string {
  const want = dialable
    ? "a multiaddr /ip4/<host>/tcp/<port>/p2p/<peer id>"
    : "a multiaddr such as /ip4/0.0.0.0/tcp/7100";
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, expected(v, want));
  let components: { name: string; value?: string }[];
  try {
    components = multiaddr(v).getComponents();
  } catch (e) {
    throw new ConfigError(
      path,
      `expected ${want}; ${JSON.stringify(v)} is not one (${(e as Error).message})`,
    );
  }
  if (dialable) {
    const id = components.findLast((c) => c.name === "p2p")?.value;
    if (id === undefined) throw new ConfigError(path, `expected ${want}; it has no /p2p/<peer id>`);
    try {
      parsePeerId(id);
    } catch {
      throw new ConfigError(path, `expected ${want}; ${id} is not an Ed25519 peer id`);
    }
  }
  return v;
}

/** `p` taken from the config file's folder unless absolute (normalised, so `../genesis.json` reads well). */
export function resolve(base: string, p: string): string {
  return resolvePath(base, p);
}
