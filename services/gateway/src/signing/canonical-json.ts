import { GatewayError } from "../errors.js";

/**
 * Canonical JSON (the RFC 8785 scheme): object keys sorted by UTF-16 code units, no whitespace, numbers and
 * strings as ECMAScript serializes them. GraphQL variables and results are JSON, so their hashes are taken over
 * this text; `undefined` members are dropped as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

const MAX_DEPTH = 64;

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new GatewayError("BAD_USER_INPUT", "value nested too deeply");
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new GatewayError("BAD_USER_INPUT", "non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => write(v ?? null, depth + 1)).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, depth + 1)}`).join(",")}}`;
    }
    default:
      throw new GatewayError("BAD_USER_INPUT", `value of type ${typeof value} is not JSON`);
  }
}
