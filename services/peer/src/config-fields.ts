/** A problem in a peer's configuration file, at a JSON path. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`config ${path}: ${message}`);
  }
}

export type Json = Record<string, unknown>;

export function obj(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConfigError(path, "expected an object");
  return v as Json;
}

export function only(o: Json, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new ConfigError(`${path}.${k}`, "unknown field");
}

export function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, "expected a non-empty string");
  return v;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(path, `expected an integer in ${min}..${max}`);
  }
  return v;
}

/** `p` taken from the config file's folder unless absolute. */
export function resolve(base: string, p: string): string {
  return p.startsWith("/") ? p : `${base.replace(/\/$/, "")}/${p}`;
}
