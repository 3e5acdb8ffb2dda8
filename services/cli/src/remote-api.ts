import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { UsageError } from "./commands.js";

/** A request that got no usable answer: the peer is unreachable, or answered something that is not JSON. */
export class RemoteError extends Error {
  override readonly name = "RemoteError";
  constructor(
    readonly code: "UNREACHABLE" | "BAD_RESPONSE",
    message: string,
  ) {
    super(message);
  }
}

export interface RemoteAnswer {
  status: number;
  /** The parsed JSON body (an object), or {} when there was none. */
  json: Record<string, unknown>;
}

/** An http(s) base URL given on the command line, checked; `flag` names it in the error. */
export function baseUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${value} is not a URL (expected e.g. http://127.0.0.1:7001)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`${flag} must be an http(s) URL`);
  return value.replace(/\/+$/, "");
}

/** The error a JSON answer carries (`{error: {code, message}}`), if any. */
export function errorOf(json: Record<string, unknown>): { code: string; message?: string } | null {
  const e = json.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof e !== "object" || e === null || typeof e.code !== "string") return null;
  return typeof e.message === "string" ? { code: e.code, message: e.message } : { code: e.code };
}

/**
 * One JSON request over node:http(s) (as `coken dataset commit` does): resolves with the status and parsed body
 * whatever the status; rejects with RemoteError when there is no answer or it is not JSON.
 */
export function requestJson(
  base: string,
  path: string,
  options: { method?: string; body?: Uint8Array | string; headers?: Record<string, string> } = {},
): Promise<RemoteAnswer> {
  const url = new URL(`${base}${path}`);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  return new Promise<RemoteAnswer>((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => reject(new RemoteError("UNREACHABLE", `${base}: ${e.message}`)));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (text.trim() === "") return resolve({ status, json: {} });
        try {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
            return resolve({ status, json: parsed as Record<string, unknown> });
        } catch {
          // Reported below.
        }
        reject(
          new RemoteError("BAD_RESPONSE", `${url.origin}${url.pathname} answered ${status} without JSON`),
        );
      });
    });
    req.on("error", (e: Error & { code?: string; errors?: { code?: string }[] }) => {
      const cause = e.code ?? e.errors?.[0]?.code ?? e.message;
      reject(new RemoteError("UNREACHABLE", `no answer from ${base} (${cause})`));
    });
    req.end(options.body);
  });
}
