import type { HttpServerLimits } from "@coken/gateway";
import { configFieldsOf } from "./config-reference.js";
import { type GrantPolicyConfig, parseGrantPolicies } from "./grant-policy-config.js";
import { parseHttpLimits } from "./http-config.js";

/** The `gateway` section of a peer's configuration: where its GraphQL gateway listens and how to reach the others. */
export interface GatewayConfig {
  host: string;
  port: number;
  /** Base URL other agencies use to reach this gateway (its `/peer/graphql` lives below it). */
  publicUrl: string;
  /** Base URLs of the other agencies' gateways, by agency id. */
  peers: Record<string, string>;
  /** TLS key and certificate files (PEM); absent: plain HTTP (e.g. behind a terminating proxy). */
  tls: { key: string; cert: string } | null;
  mode: "dev" | "production";
  /**
   * Trusted-documents manifest (`{"<sha256>": "<document>"}`) for the officials' endpoint; required in production,
   * where only its documents run.
   */
  trustedDocuments: string | null;
  /** Replay window of signed inter-agency requests. */
  maxSkewMs: number;
  maxRequestLifetimeMs: number;
  /**
   * Whether an answer waits for its receipt to reach the disk ("flush") or only the database ("async": a database
   * host crash may lose the last moments of receipts and replay nonces; the peer's own crash loses nothing).
   */
  receiptCommit: "flush" | "async";
  /** How long an inter-agency call may take, proof generation included. */
  upstreamTimeoutMs: number;
  /** Receipt batches: size and time bounds, and how often the queue works. */
  receiptBatchSize: number;
  receiptBatchWaitMs: number;
  receiptIntervalMs: number;
  /** How long a receipt batch waits for its requester's co-signature before it is recorded without it. */
  receiptAckWaitMs: number;
  /** Deadlines and connection caps of the gateway's HTTP server. */
  http: HttpServerLimits;
  /** Policy per grant id: minimum group size as grantee, threshold caps as grantor. */
  grantPolicy: Record<string, GrantPolicyConfig>;
}

/** A problem in the `gateway` section, at a JSON path. */
export class GatewayConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  mode: "dev",
  maxSkewMs: 30_000,
  maxRequestLifetimeMs: 120_000,
  upstreamTimeoutMs: 30_000,
  receiptBatchSize: 1000,
  receiptBatchWaitMs: 2000,
  receiptIntervalMs: 500,
  receiptAckWaitMs: 30_000,
} as const;
const KEYS = configFieldsOf("gateway");

function url(v: unknown, path: string): string {
  if (typeof v !== "string")
    throw new GatewayConfigError(
      path,
      v === undefined ? "missing (expected an http(s) URL)" : "expected a URL",
    );
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new GatewayConfigError(path, "expected an http(s) URL");
  }
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw new GatewayConfigError(path, `expected an integer in ${min}..${max}`);
  return v;
}

/** Parses the `gateway` section; relative TLS paths are taken from `base`. Throws only GatewayConfigError. */
export function parseGatewayConfig(v: unknown, base: string): GatewayConfig {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new GatewayConfigError("$.gateway", "expected an object");
  const g = v as Json;
  for (const k of Object.keys(g))
    if (!KEYS.includes(k)) throw new GatewayConfigError(`$.gateway.${k}`, "unknown field");
  const peers = g.peers ?? {};
  if (typeof peers !== "object" || peers === null || Array.isArray(peers))
    throw new GatewayConfigError("$.gateway.peers", "expected an object of agency id → URL");
  const tls = g.tls ?? null;
  if (
    tls !== null &&
    (typeof tls !== "object" ||
      typeof (tls as Json).key !== "string" ||
      typeof (tls as Json).cert !== "string")
  )
    throw new GatewayConfigError("$.gateway.tls", "expected {key, cert} file paths");
  const file = (p: string) => (p.startsWith("/") ? p : `${base.replace(/\/$/, "")}/${p}`);
  const mode = g.mode ?? DEFAULTS.mode;
  if (mode !== "dev" && mode !== "production")
    throw new GatewayConfigError("$.gateway.mode", 'expected "dev" or "production"');
  const trusted = g.trustedDocuments ?? null;
  if (trusted !== null && (typeof trusted !== "string" || trusted.length === 0))
    throw new GatewayConfigError("$.gateway.trustedDocuments", "expected a manifest file path");
  if (mode === "production" && trusted === null)
    throw new GatewayConfigError(
      "$.gateway.trustedDocuments",
      "production mode runs trusted documents only: name their manifest",
    );
  const receiptCommit = g.receiptCommit ?? "flush";
  if (receiptCommit !== "flush" && receiptCommit !== "async")
    throw new GatewayConfigError("$.gateway.receiptCommit", 'expected "flush" or "async"');
  const num = (k: keyof typeof DEFAULTS, min: number, max: number) =>
    int(g[k] ?? DEFAULTS[k], `$.gateway.${k}`, min, max);
  return {
    host: typeof g.host === "string" && g.host.length > 0 ? g.host : DEFAULTS.host,
    port: num("port", 0, 65535),
    publicUrl: url(g.publicUrl, "$.gateway.publicUrl"),
    peers: Object.fromEntries(
      Object.entries(peers as Json).map(([k, u]) => [k, url(u, `$.gateway.peers.${k}`)]),
    ),
    tls:
      tls === null
        ? null
        : { key: file((tls as Json).key as string), cert: file((tls as Json).cert as string) },
    mode,
    trustedDocuments: trusted === null ? null : file(trusted),
    receiptCommit,
    maxSkewMs: num("maxSkewMs", 0, 600_000),
    maxRequestLifetimeMs: num("maxRequestLifetimeMs", 1000, 3_600_000),
    upstreamTimeoutMs: num("upstreamTimeoutMs", 100, 600_000),
    receiptBatchSize: num("receiptBatchSize", 1, 1000),
    receiptBatchWaitMs: num("receiptBatchWaitMs", 0, 3_600_000),
    receiptIntervalMs: num("receiptIntervalMs", 10, 600_000),
    receiptAckWaitMs: num("receiptAckWaitMs", 0, 3_600_000),
    http: parseHttpLimits(g.http, "$.gateway.http", (path, message) => new GatewayConfigError(path, message)),
    grantPolicy: parseGrantPolicies(
      g.grantPolicy,
      "$.gateway.grantPolicy",
      (path, message) => new GatewayConfigError(path, message),
    ),
  };
}
