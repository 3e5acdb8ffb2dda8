import type { ServerResponse } from "node:http";

/** Writes one JSON response. */
export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export const notFound = (res: ServerResponse) => send(res, 404, { error: { code: "NOT_FOUND" } });
