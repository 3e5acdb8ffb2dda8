import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddResult } from "./mempool.js";

/** What the local API exposes of a running peer. */
export interface ApiTarget {
  submitTx(raw: Uint8Array): AddResult;
  status(): Record<string, string | number | boolean>;
  block(height: number): Promise<Record<string, string | number> | null>;
}

const MAX_BODY = 8 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The peer's operator API on loopback: `POST /v1/txs` (body: one canonical signed tx) answers `{id}` or
 * `{error: {code}}`; `GET /v1/status` answers the chain head and counters. Never echoes tx contents.
 */
export function createApiServer(target: ApiTarget): Server {
  return createServer((req, res) => {
    const route = `${req.method} ${req.url?.split("?")[0]}`;
    if (route === "GET /v1/status") return send(res, 200, target.status());
    const block = /^GET \/v1\/blocks\/(\d{1,15})$/.exec(route);
    if (block) {
      target.block(Number(block[1])).then(
        (b) => (b === null ? send(res, 404, { error: { code: "NOT_FOUND" } }) : send(res, 200, b)),
        () => send(res, 500, { error: { code: "INTERNAL" } }),
      );
      return;
    }
    if (route !== "POST /v1/txs") return send(res, 404, { error: { code: "NOT_FOUND" } });
    readBody(req).then(
      (body) => {
        if (body === null) return send(res, 413, { error: { code: "TOO_LARGE" } });
        const result = target.submitTx(body);
        if (result.ok) return send(res, 202, { id: result.id });
        return send(res, 400, { error: { code: result.reason } });
      },
      () => send(res, 400, { error: { code: "BAD_REQUEST" } }),
    );
  });
}
