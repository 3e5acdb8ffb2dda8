import { Agent, request } from "node:http";
import { connect } from "node:net";

/**
 * Sends a request's headers (declaring a body of `declared` bytes), then one body byte every `everyMs` until the
 * server closes the connection. Resolves with how long after the headers that took, the bytes sent and what
 * the server answered.
 */
export function trickleBody(
  url: string,
  path: string,
  everyMs: number,
  declared = 100_000,
): Promise<{ afterMs: number; sent: number; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = "";
    let sent = 0;
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
          `x-coken-csrf: 1\r\ncontent-length: ${declared}\r\n\r\n`,
      );
      started = performance.now();
      timer = setInterval(() => {
        if (socket.writable && sent < declared) {
          socket.write(" ");
          sent++;
        }
      }, everyMs);
    });
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    // A reset instead of a clean close still ends the connection.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - started, sent, answer });
    });
  });
}

/** Sends request headers one byte every `everyMs` until the server closes; resolves with how long that took. */
export function trickleHeaders(url: string, everyMs: number): Promise<{ afterMs: number; answer: string }> {
  const { hostname, port } = new URL(url);
  const head = Buffer.from(`GET /healthz HTTP/1.1\r\nhost: ${hostname}\r\nx-padding: ${"p".repeat(10_000)}`);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = "";
    let at = 0;
    const started = performance.now();
    const timer = setInterval(() => {
      if (socket.writable && at < head.length) socket.write(head.subarray(at, ++at));
    }, everyMs);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - started, answer });
    });
  });
}

/** A client of its own: one keep-alive connection from `localAddress`, reused by every `get`. */
export class OneConnection {
  private readonly agent: Agent;
  constructor(
    private readonly url: string,
    localAddress = "127.0.0.1",
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress });
  }

  /** GET `path`: the status and body, or the socket error when the connection was cut before an answer. */
  get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      const req = request(`${this.url}${path}`, { agent: this.agent }, (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", (e: NodeJS.ErrnoException) => resolve({ status: -1, body: e.code ?? e.message }));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
