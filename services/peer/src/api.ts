import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  DEFAULT_HTTP_LIMITS,
  guardHttpServer,
  type HttpServerLimits,
  httpServerOptions,
  type RefusedRecordView,
  type VerifiedRecordView,
  type VerifyingRecordView,
} from "@coken/gateway";
import { type AuditReads, serveAuditReads } from "./api-audit.js";
import { send } from "./api-http.js";
import { type ChainReads, serveReads } from "./api-reads.js";
import { sendTxRefusal } from "./api-tx.js";
import { DatasetOpError, type DatasetOps } from "./dataset-ops.js";
import type { AddResult } from "./mempool.js";
import type { ProvedDatasetStatus } from "./proved-datasets.js";

export { type AuditReads, createAuditReads } from "./api-audit.js";
export { type BlockJson, BlockJsonError, blockFromJson, blockToJson } from "./api-chain.js";
export type { NotReadyReason, Readiness } from "./api-health.js";
export type { AccountView, ChainReads, TxView } from "./api-reads.js";
export { createChainReads, type ProvedRecordJson, type StateProofJson } from "./api-reads.js";

/**
 * The others' well-formedness evidence this peer's gateway verified as an asker, its latest refusals, and the
 * verifications under way with their progress.
 */
export interface EvidenceRecords {
  verified: VerifiedRecordView[];
  refused: RefusedRecordView[];
  verifying: VerifyingRecordView[];
}

/** What the local API exposes of a running peer. */
export interface ApiTarget {
  submitTx(raw: Uint8Array): AddResult;
  status(): Record<string, string | number | boolean>;
  block(height: number): Promise<Record<string, string | number> | null>;
  /** The agency's own datasets: row import and commitments (behind the operator token). */
  datasets: DatasetOps;
  /** Where each proved dataset stands (empty when this peer proves none). */
  provedDatasets(): ProvedDatasetStatus[];
  /** The evidence this peer verified as an asker (empty arrays without a gateway or zk section). */
  evidenceRecords?(): EvidenceRecords;
  /** Well-formedness evidence (public JSON) of the agency's commitment in force for a dataset; null when none. */
  evidence?(dataset: string): Promise<unknown>;
  /** Bearer token the dataset endpoints require; null: they are off. */
  token: string | null;
  /** Unexpected failures of dataset operations (the error only, never row values). */
  onError(e: unknown): void;
  /** Health, readiness, tx status, accounts and stored blocks (no token needed). */
  reads: ChainReads;
  /** Kept proof bundles and verification keys, for auditors (no token needed: both are public). */
  audit?: AuditReads;
}

const STATUS_OF: Record<DatasetOpError["code"], number> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  BAD_ROWS: 400,
  NOT_PROVED: 409,
  REFUSED: 409,
};

const MAX_BODY = 8 << 20;

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

function authorized(req: IncomingMessage, token: string | null): boolean {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (token === null || given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** NDJSON lines as values; null when a line is not JSON (the line number is in `bad`). */
function parseLines(body: Uint8Array): { rows: unknown[] } | { bad: number } {
  const rows: unknown[] = [];
  const lines = Buffer.from(body).toString("utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      return { bad: i + 1 };
    }
  }
  return { rows };
}

function datasetRoute(target: ApiTarget, req: IncomingMessage, res: ServerResponse, id: string, op: string) {
  if (target.token === null)
    return send(res, 404, {
      error: { code: "DISABLED", message: "set api.tokenFile to enable dataset endpoints" },
    });
  if (!authorized(req, target.token)) return send(res, 401, { error: { code: "UNAUTHENTICATED" } });
  const fail = (e: unknown) => {
    if (e instanceof DatasetOpError)
      return send(res, STATUS_OF[e.code], { error: { code: e.code, message: e.message } });
    target.onError(e);
    return send(res, 500, { error: { code: "INTERNAL" } });
  };
  if (req.method === "PUT" && op === "rows") {
    readBody(req).then((body) => {
      if (body === null) return send(res, 413, { error: { code: "TOO_LARGE" } });
      const parsed = parseLines(body);
      if ("bad" in parsed)
        return send(res, 400, { error: { code: "BAD_ROWS", message: `line ${parsed.bad} is not JSON` } });
      return target.datasets.importRows(id, parsed.rows).then((n) => send(res, 200, { rows: n }), fail);
    }, fail);
    return;
  }
  if (req.method === "POST" && op === "commit") {
    target.datasets.commit(id).then((outcome) => send(res, 202, outcome), fail);
    return;
  }
  return send(res, 404, { error: { code: "NOT_FOUND" } });
}

/** `GET /v1/datasets/{id}/evidence`: public, like the gateway's `wellFormedEvidence`; 404 until it exists. */
function sendEvidence(target: ApiTarget, res: ServerResponse, encoded: string): void {
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    send(res, 400, { error: { code: "BAD_REQUEST" } });
    return;
  }
  (target.evidence?.(id) ?? Promise.resolve(null)).then(
    (e) => (e === null ? send(res, 404, { error: { code: "NOT_FOUND" } }) : send(res, 200, e)),
    () => send(res, 500, { error: { code: "INTERNAL" } }),
  );
}

/**
 * The peer's operator API on loopback: `POST /v1/txs` (body: one canonical signed tx) answers 202 `{id}` or
 * `{error: {code, retryable}}` (503 FULL and 429 SENDER_LIMIT with Retry-After: retry the same tx later; 400 for
 * the tx's own faults); `GET /v1/status` answers the chain head and counters; `GET /v1/datasets` where each proved
 * dataset stands (`proved`) and the others' well-formedness evidence this peer verified as an asker (`verified`)
 * or last refused (`refused`), `GET /v1/datasets/{id}/evidence` its own evidence (public). Unauthenticated
 * reads: `GET /healthz` (liveness), `GET /readyz` (200, or 503 with the reasons),
 * `GET /v1/txs/{id}` (committed with its result, or pending), `GET /v1/accounts/{agency}` (seq, balance, next seq
 * counting pending txs), `GET /v1/chain/blocks?from=H&limit=N` (stored blocks, for a remote replay),
 * `GET /v1/proofs/{receipt}` and `GET /v1/zk/keys/{hash}` (kept proof bundles and verification keys). With the
 * operator's bearer token: `PUT /v1/datasets/{id}/rows` (NDJSON `{key, fields}` lines, all stored or none) and
 * `POST /v1/datasets/{id}/commit` (commits to the stored rows, submits `dataset.commit`). Never echoes row values;
 * tx bytes leave only inside committed blocks, which every peer of the network holds anyway. Header, body and
 * keep-alive deadlines and connection caps are `limits` (see `guardHttpServer`).
 */
export function createApiServer(target: ApiTarget, limits: HttpServerLimits = DEFAULT_HTTP_LIMITS): Server {
  const server = createServer(httpServerOptions(limits));
  const guard = guardHttpServer(server, limits);
  return server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!guard.admit(req, res)) return;
    if (serveReads(target.reads, req, res)) return;
    if (target.audit && serveAuditReads(target.audit, req, res, target.onError)) return;
    const route = `${req.method} ${req.url?.split("?")[0]}`;
    if (route === "GET /v1/status") return send(res, 200, target.status());
    if (route === "GET /v1/datasets")
      return send(res, 200, {
        proved: target.provedDatasets(),
        ...(target.evidenceRecords?.() ?? { verified: [], refused: [], verifying: [] }),
      });
    const evidence = /^GET \/v1\/datasets\/([^/]{1,400})\/evidence$/.exec(route);
    if (evidence) return sendEvidence(target, res, evidence[1] as string);
    const dataset = /^\/v1\/datasets\/([^/]{1,400})\/(rows|commit)$/.exec(req.url?.split("?")[0] ?? "");
    if (dataset) {
      let id: string;
      try {
        id = decodeURIComponent(dataset[1] as string);
      } catch {
        return send(res, 400, { error: { code: "BAD_REQUEST" } });
      }
      return datasetRoute(target, req, res, id, dataset[2] as string);
    }
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
        return sendTxRefusal(res, result.reason);
      },
      () => send(res, 400, { error: { code: "BAD_REQUEST" } }),
    );
  });
}
