import type { ServerResponse } from "node:http";

/** Writes one JSON response; nothing when one was written already (a request cut off at its deadline). */
export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export const notFound = (res: ServerResponse) => send(res, 404, { error: { code: "NOT_FOUND" } });
