import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";
import { GatewayError, isGatewayError } from "./errors.js";
import { readBodyWithin } from "./hardening/body.js";
import {
  checkHttpLimits,
  DEFAULT_HTTP_LIMITS,
  guardHttpServer,
  type HttpServerLimits,
  httpServerOptions,
} from "./hardening/connections.js";
import { createInFlight } from "./hardening/drain.js";
import { callHandler, errorResponse, type FetchHandler, headersOf, writeResponse } from "./hardening/http.js";
import type { QueryLimits } from "./hardening/limits.js";
import type { PersistedDocuments } from "./hardening/persisted.js";
import { createRateLimiter, type RateLimit } from "./hardening/rate-limit.js";
import { type Logger, silentLogger } from "./observability/log.js";
import { createGatewayMetrics, type GatewayMetrics } from "./observability/metrics.js";
import { extractTraceContext, traceparentOf } from "./observability/tracing.js";
import { createOfficialEndpoint, type GatewayMode } from "./official/endpoint.js";
import type { OfficialComponents } from "./official/models.js";

export interface GatewayServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port; read `url` after `listen`). */
  port?: number;
  /** Default "dev". Production: trusted documents only, no introspection, no GraphiQL. */
  mode?: GatewayMode;
  /** Largest request body accepted on either GraphQL route; default 1 MiB. */
  maxBodyBytes?: number;
  /** How long `close` waits for requests in flight; default 10 s. */
  shutdownDeadlineMs?: number;
  limits?: Partial<QueryLimits>;
  persistedDocuments?: PersistedDocuments;
  /** Per official (or per client address when unauthenticated) on `/graphql`; null disables. */
  officialRateLimit?: RateLimit | null;
  /** Header names that mark a request as not a browser's simple request (CSRF prevention). */
  csrfHeaders?: string[];
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Header, request, body and keep-alive deadlines and connection caps; defaults `DEFAULT_HTTP_LIMITS`. */
  http?: Partial<HttpServerLimits>;
}

export interface GatewayServerComponents {
  official: OfficialComponents;
  /** The officials' schema when stitched with other agencies' (`stitchOfficialSchema`); default local only. */
  officialSchema?: GraphQLSchema;
  /** The inter-agency endpoint, mounted at `/peer/graphql` when given. */
  peerEndpoint?: FetchHandler;
  metrics?: GatewayMetrics;
  tracer?: Tracer;
  logger?: Logger;
  /** Who the official behind a request is (null: unauthenticated). Default: none are authenticated. */
  authenticateOfficial?: (headers: Headers) => string | null;
  /** Milliseconds since the Unix epoch, for rate limits. */
  clock?: () => number;
  /** The web dashboard's static files, mounted at `/dashboard/` when given (GET and HEAD only). */
  dashboard?: FetchHandler;
}

export interface GatewayServer {
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets requests in flight finish (up to the deadline), then closes every connection. */
  close(): Promise<void>;
  readonly url: string;
  readonly metrics: GatewayMetrics;
}

const DEFAULT_RATE: RateLimit = { capacity: 100, perSecond: 50 };

/**
 * One HTTP server per peer: `/graphql` for the agency's officials, `/peer/graphql` for other agencies (when
 * mounted), `/healthz` and `/metrics`. Bodies are size-checked before anything parses them.
 */
export function createGatewayServer(options: GatewayServerOptions = {}) {
  return (components: GatewayServerComponents): GatewayServer => {
    const host = options.host ?? "127.0.0.1";
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    const httpLimits = checkHttpLimits({ ...DEFAULT_HTTP_LIMITS, ...options.http });
    const metrics = components.metrics ?? createGatewayMetrics();
    const log = (components.logger ?? silentLogger).child("gateway");
    const tracer = components.tracer ?? trace.getTracer("coken-gateway");
    const authenticate = components.authenticateOfficial ?? (() => null);
    const official = createOfficialEndpoint({
      mode: options.mode ?? "dev",
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.persistedDocuments ? { persistedDocuments: options.persistedDocuments } : {}),
      ...(options.csrfHeaders ? { csrfHeaders: options.csrfHeaders } : {}),
    })({
      official: components.official,
      metrics,
      tracer,
      logger: log,
      ...(components.officialSchema ? { schema: components.officialSchema } : {}),
    });
    const rateLimit = options.officialRateLimit === undefined ? DEFAULT_RATE : options.officialRateLimit;
    const limiter = rateLimit === null ? null : createRateLimiter(rateLimit, components.clock);
    const inFlight = createInFlight();
    let draining = false;
    let url = "";

    async function graphqlRoute(
      req: IncomingMessage,
      route: "official" | "peer",
      headers: Headers,
      signal: AbortSignal,
    ): Promise<Response> {
      const officialId = route === "official" ? authenticate(headers) : null;
      if (route === "official" && limiter !== null) {
        const key = officialId ?? `address:${req.socket.remoteAddress ?? "unknown"}`;
        if (!limiter.take(key)) throw new GatewayError("RATE_LIMITED", "too many requests");
      }
      const method = req.method ?? "GET";
      const body =
        method === "GET" || method === "HEAD" ? undefined : await readBodyWithin(req, maxBodyBytes);
      const span = tracer.startSpan(
        `coken.${route}`,
        { kind: SpanKind.SERVER, attributes: { "http.method": method } },
        extractTraceContext(headers),
      );
      try {
        const request = new Request(new URL(req.url ?? "/", url), {
          method,
          headers,
          signal,
          ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
        });
        const traceparent = traceparentOf(span);
        const response =
          route === "peer"
            ? await callHandler(components.peerEndpoint as FetchHandler, request)
            : await official.fetch(request, {
                officialId,
                signal,
                ...(traceparent === undefined ? {} : { traceparent }),
              });
        span.setAttribute("http.status_code", response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } finally {
        span.end();
      }
    }

    async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = (req.url ?? "/").split("?")[0];
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      const closing: Record<string, string> = draining ? { connection: "close" } : {};
      try {
        if (path === "/healthz") {
          await writeResponse(
            res,
            Response.json({ status: draining ? "draining" : "ok" }, { status: draining ? 503 : 200 }),
            closing,
          );
        } else if (path === "/metrics" && (req.method === "GET" || req.method === "HEAD")) {
          await writeResponse(
            res,
            new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } }),
            closing,
          );
        } else if (
          path === "/graphql" ||
          (path === "/peer/graphql" && components.peerEndpoint !== undefined)
        ) {
          const endpoint = path === "/graphql" ? "official" : "peer";
          await writeResponse(
            res,
            await graphqlRoute(req, endpoint, headersOf(req), controller.signal),
            closing,
          );
        } else if (components.dashboard !== undefined && /^\/dashboard(\/|$)/.test(path ?? "")) {
          const request = new Request(new URL(req.url ?? "/", url), { method: req.method ?? "GET" });
          await writeResponse(res, await callHandler(components.dashboard, request), closing);
        } else {
          await writeResponse(res, errorResponse(404, "NOT_FOUND", "no such route"), closing);
        }
      } catch (e) {
        const status = !isGatewayError(e)
          ? 500
          : e.code === "PAYLOAD_TOO_LARGE"
            ? 413
            : e.code === "RATE_LIMITED"
              ? 429
              : 400;
        const code = isGatewayError(e) ? e.code : "INTERNAL";
        metrics.error(path === "/peer/graphql" ? "peer" : "official", code);
        if (status === 500)
          log.error("request failed", { path, error: e instanceof Error ? e.name : "unknown" });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // The rest of a refused body is not read: close the connection rather than drain it.
        const after = status === 413 || status === 400 ? { connection: "close" } : closing;
        await writeResponse(
          res,
          errorResponse(status, code, isGatewayError(e) ? e.message : "Unexpected error."),
          after,
        );
      }
    }

    const serverOptions = httpServerOptions(httpLimits);
    const server = options.tls
      ? createTlsServer({ ...serverOptions, ...options.tls })
      : createServer(serverOptions);
    const guard = guardHttpServer(server, httpLimits, {
      onRefused(code, req) {
        metrics.error((req.url ?? "").startsWith("/peer/") ? "peer" : "official", code);
      },
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      inFlight.enter();
      res.once("close", () => inFlight.leave());
      if (!guard.admit(req, res)) return;
      if (draining) {
        void writeResponse(res, errorResponse(503, "SHUTTING_DOWN", "the gateway is shutting down"), {
          connection: "close",
        });
        return;
      }
      void route(req, res);
    });
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return;
      // Headers or the whole request past Node's deadlines: 408, as Node itself would answer.
      const status = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    });

    return {
      metrics,
      get url() {
        return url;
      },
      listen() {
        return new Promise((resolve, reject) => {
          server.once("error", reject);
          server.listen(options.port ?? 0, host, () => {
            const address = server.address() as AddressInfo;
            url = `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
            log.info("gateway listening", { url, mode: options.mode ?? "dev" });
            resolve(url);
          });
        });
      },
      async close() {
        if (draining) return;
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drained = await inFlight.drained(options.shutdownDeadlineMs ?? 10_000);
        if (!drained)
          log.warn("shutdown deadline passed with requests in flight", { inFlight: inFlight.count });
        server.closeAllConnections();
        await closed;
        await official.dispose();
      },
    };
  };
}
