import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayErrorCode } from "../errors.js";

/** A fetch-style request handler: a graphql-yoga instance's `fetch`, or a plain function. */
export type FetchHandler =
  | { fetch(request: Request): Response | Promise<Response> }
  | ((request: Request) => Response | Promise<Response>);

/** Calls a fetch-style handler whichever form it has. */
export function callHandler(handler: FetchHandler, request: Request): Response | Promise<Response> {
  return typeof handler === "function" ? handler(request) : handler.fetch(request);
}

/** Headers of a Node request as fetch `Headers` (repeated headers kept). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

/** Writes a fetch `Response` to a Node response, body buffered (the gateway serves no streams). */
export async function writeResponse(
  res: ServerResponse,
  response: Response,
  extra: Record<string, string> = {},
): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, { ...headers, ...extra, "content-length": String(body.length) });
  res.end(body);
}

/** A GraphQL-shaped error response the HTTP layer sends itself (before any GraphQL processing). */
export function errorResponse(status: number, code: GatewayErrorCode | string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
