import type { IncomingMessage } from "node:http";
import { GatewayError } from "../errors.js";

/**
 * Reads a request body, refusing it with PAYLOAD_TOO_LARGE as soon as it is known to exceed `maxBytes`: from
 * the declared Content-Length before reading anything, otherwise when the streamed bytes pass the limit. No
 * GraphQL parsing happens on a refused body.
 */
export function readBodyWithin(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", (e) =>
      reject(new GatewayError("BAD_USER_INPUT", "request body could not be read", { cause: e.message })),
    );
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError("PAYLOAD_TOO_LARGE", "request body too large", { maxBytes });
}
