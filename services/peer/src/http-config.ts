import type { HttpServerLimits } from "@coken/gateway";

/**
 * Defaults of the `http` object of the `api` and `gateway` sections: the deadlines and connection caps of that
 * HTTP server (the same as the gateway's own `DEFAULT_HTTP_LIMITS`).
 */
export const HTTP_DEFAULTS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerClient: 64,
  maxConnections: 1024,
};

const RANGES: Record<keyof HttpServerLimits, [number, number]> = {
  headersTimeoutMs: [100, 600_000],
  requestTimeoutMs: [100, 3_600_000],
  bodyTimeoutMs: [100, 3_600_000],
  keepAliveTimeoutMs: [100, 600_000],
  maxConnectionsPerClient: [1, 1_000_000],
  maxConnections: [1, 1_000_000],
};

/** The fields of an `http` object, in reference order. */
export const HTTP_FIELDS = Object.keys(RANGES) as (keyof HttpServerLimits)[];

/** The range a field of an `http` object takes, as the reference prints it. */
export const httpRange = (field: keyof HttpServerLimits): [number, number] => RANGES[field];

/**
 * Parses an `http` object at `path` (absent: the defaults). `fail` builds the section's own error, so the
 * gateway section keeps its error type.
 */
export function parseHttpLimits(
  v: unknown,
  path: string,
  fail: (path: string, message: string) => Error,
): HttpServerLimits {
  if (v === undefined) return { ...HTTP_DEFAULTS };
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail(path, "expected an object");
  const given = v as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (!(HTTP_FIELDS as string[]).includes(k)) throw fail(`${path}.${k}`, "unknown field");
  const out = { ...HTTP_DEFAULTS };
  for (const k of HTTP_FIELDS) {
    const value = given[k] ?? HTTP_DEFAULTS[k];
    const [min, max] = RANGES[k];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      throw fail(`${path}.${k}`, `expected an integer in ${min}..${max}`);
    out[k] = value;
  }
  // Node refuses a header deadline past the request deadline.
  if (out.headersTimeoutMs > out.requestTimeoutMs)
    throw fail(`${path}.headersTimeoutMs`, "must not exceed requestTimeoutMs");
  return out;
}
