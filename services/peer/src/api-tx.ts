import type { ServerResponse } from "node:http";
import { isRetryable } from "./admission.js";
import { send } from "./api-http.js";
import type { MempoolRejectReason } from "./mempool.js";

/** Seconds a submitter refused for capacity is asked to wait (about a block interval under load). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Answers a tx the mempool refused: `{error: {code, retryable}}`. A refusal for the pool's capacity is retryable
 * (the same bytes may be taken later) and says so in its status and a Retry-After header: 503 when the pool is
 * full, 429 when the sender holds its share of it. Anything else is the tx's own fault: 400, not retryable.
 */
export function sendTxRefusal(res: ServerResponse, reason: MempoolRejectReason): void {
  const retryable = isRetryable(reason);
  const body = { error: { code: reason, retryable } };
  if (!retryable) send(res, 400, body);
  else send(res, reason === "SENDER_LIMIT" ? 429 : 503, body, { "retry-after": String(RETRY_AFTER_SECONDS) });
}
