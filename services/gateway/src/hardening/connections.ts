import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http";
import type { Server as TlsServer } from "node:https";
import type { Socket } from "node:net";

/** Timeouts and connection caps of one HTTP server (the gateway's, the operator API's). */
export interface HttpServerLimits {
  /** The request headers must have arrived this long after the request started (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must have arrived within this (Node's `requestTimeout`). */
  requestTimeoutMs: number;
  /** The body must have arrived this long after the headers; a client still sending is answered 408 and cut off. */
  bodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections from one client address; the next one is answered 503 and closed. */
  maxConnectionsPerClient: number;
  /** Open connections in all. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerClient: 64,
  maxConnections: 1024,
};

/** Stable codes of the refusals the HTTP layer writes itself. */
export type HttpRefusalCode = "REQUEST_TIMEOUT" | "TOO_MANY_CONNECTIONS";

/** How long a connection over a cap may stay open without sending the request it is refused on. */
const REFUSED_CONNECTION_MS = 1000;

/** Checks a set of limits: positive, integers, headers inside the request deadline (Node requires it). */
export function checkHttpLimits(limits: HttpServerLimits): HttpServerLimits {
  for (const [name, value] of Object.entries(limits))
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new RangeError("headersTimeoutMs must not exceed requestTimeoutMs");
  return limits;
}

/**
 * Node server options for `limits`. Node checks its header and request deadlines on a timer of its own, every
 * 30 s by default; here at least four times per deadline (at most once a second), so they hold to the second.
 */
export function httpServerOptions(limits: HttpServerLimits): ServerOptions & { handshakeTimeout: number } {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shortest / 4))),
    // TLS servers only: a handshake is held to the header deadline too.
    handshakeTimeout: limits.headersTimeoutMs,
  };
}

/** Open connections per client address and in all, against two caps. */
export class ConnectionTally {
  private readonly byClient = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perClient: number,
    private readonly overall: number,
  ) {}

  /** Counts a new connection from `client`; false, counting nothing, when either cap is reached. */
  admit(client: string): boolean {
    const open = this.byClient.get(client) ?? 0;
    if (open >= this.perClient || this.total >= this.overall) return false;
    this.byClient.set(client, open + 1);
    this.total++;
    return true;
  }

  /** Forgets one admitted connection of `client`. */
  release(client: string): void {
    const open = this.byClient.get(client) ?? 0;
    if (open <= 0) return;
    if (open === 1) this.byClient.delete(client);
    else this.byClient.set(client, open - 1);
    this.total--;
  }

  /** Connections open from `client`, and in all. */
  openFrom(client: string): number {
    return this.byClient.get(client) ?? 0;
  }
  get open(): number {
    return this.total;
  }
}

/** What a guarded server's request handler asks first. */
export interface HttpGuard {
  /** False when the request was refused (and answered) here: the handler does nothing more with it. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  readonly connections: ConnectionTally;
}

export interface HttpGuardHooks {
  /** Told of every refusal the guard writes (for metrics and logs). */
  onRefused?(code: HttpRefusalCode, req: IncomingMessage): void;
}

/** The same key for a TCP socket and the TLS socket over it. */
const socketKey = (s: Socket) => `${s.remoteAddress ?? "?"}|${s.remotePort ?? "?"}`;

function refuse(res: ServerResponse, status: number, code: HttpRefusalCode, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  // The rest of the request is not read: the connection goes once the answer is handed to the system.
  res.end(body, () => res.socket?.destroy());
}

/**
 * Applies `limits` to a Node HTTP(S) server created with `httpServerOptions(limits)`: counts connections per
 * client address at accept time, and returns the check its request handler runs first. A connection over a cap
 * is answered 503 TOO_MANY_CONNECTIONS on its first request and closed (after a second if it sends none; it
 * never counts against the caps); a request whose body has not fully arrived `bodyTimeoutMs` after its headers
 * is answered 408 REQUEST_TIMEOUT and its connection closed, however steadily the bytes trickle in.
 */
export function guardHttpServer(
  server: Server | TlsServer,
  limits: HttpServerLimits,
  hooks: HttpGuardHooks = {},
): HttpGuard {
  checkHttpLimits(limits);
  const connections = new ConnectionTally(limits.maxConnectionsPerClient, limits.maxConnections);
  const refused = new Set<string>();
  server.on("connection", (socket: Socket) => {
    const client = socket.remoteAddress ?? "unknown";
    const key = socketKey(socket);
    if (connections.admit(client)) {
      socket.once("close", () => connections.release(client));
      return;
    }
    refused.add(key);
    const timer = setTimeout(() => socket.destroy(), REFUSED_CONNECTION_MS);
    timer.unref();
    socket.once("close", () => {
      clearTimeout(timer);
      refused.delete(key);
    });
  });
  return {
    connections,
    admit(req, res) {
      if (refused.has(socketKey(req.socket))) {
        hooks.onRefused?.("TOO_MANY_CONNECTIONS", req);
        refuse(res, 503, "TOO_MANY_CONNECTIONS", "too many connections");
        return false;
      }
      if (req.complete) return true;
      const timer = setTimeout(() => {
        if (req.complete || res.writableEnded) return;
        hooks.onRefused?.("REQUEST_TIMEOUT", req);
        if (res.headersSent) req.socket.destroy();
        else refuse(res, 408, "REQUEST_TIMEOUT", "request body not received in time");
      }, limits.bodyTimeoutMs);
      const done = () => clearTimeout(timer);
      req.once("end", done);
      res.once("close", done);
      return true;
    },
  };
}
