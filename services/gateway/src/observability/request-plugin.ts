import { GraphQLError, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "./log.js";
import type { GatewayMetrics, RequestOutcome } from "./metrics.js";

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Operation names come from callers; beyond this many distinct names they are counted as "other".
const MAX_OPERATION_LABELS = 200;

/** Codes that mean the caller's request was refused, as opposed to the gateway failing. */
const SERVER_SIDE = new Set(["INTERNAL", "UPSTREAM_UNAVAILABLE", "UPSTREAM_TIMEOUT"]);

interface Pending {
  started: number;
  operation: string;
  codes: string[];
}

/**
 * Counts every GraphQL request on `endpoint` by operation name and outcome, and every returned error by code;
 * logs refusals and failures with their codes (never variables or results).
 */
export function requestObserver(endpoint: string, metrics: GatewayMetrics, log: Logger): Plugin {
  const pending = new WeakMap<Request, Pending>();
  const seen = new Set<string>();
  const label = (name: unknown): string => {
    if (typeof name !== "string" || !OPERATION_NAME.test(name)) return "anonymous";
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_LABELS) return "other";
    seen.add(name);
    return name;
  };
  return {
    onRequest({ request }) {
      pending.set(request, { started: performance.now(), operation: "anonymous", codes: [] });
    },
    onParams({ request, params }) {
      const p = pending.get(request);
      if (p) p.operation = label(params.operationName);
    },
    onExecute({ args }) {
      // The name the document gives the operation run, when the request did not name it.
      const request = (args.contextValue as { request?: Request }).request;
      const p = request === undefined ? undefined : pending.get(request);
      if (p && p.operation === "anonymous") {
        p.operation = label(getOperationAST(args.document, args.operationName)?.name?.value);
      }
    },
    onResultProcess({ request, result }) {
      const p = pending.get(request);
      if (p === undefined) return;
      for (const r of Array.isArray(result) ? result : [result]) {
        const errors = (r as { errors?: readonly unknown[] }).errors ?? [];
        for (const e of errors) {
          const code =
            e instanceof GraphQLError
              ? e.extensions.code
              : (e as { extensions?: { code?: unknown } })?.extensions?.code;
          p.codes.push(typeof code === "string" ? code : "BAD_REQUEST");
        }
      }
    },
    onResponse({ request, response }) {
      const p = pending.get(request);
      if (p === undefined) return;
      pending.delete(request);
      const outcome: RequestOutcome =
        response.status >= 500 || p.codes.some((c) => SERVER_SIDE.has(c))
          ? "error"
          : p.codes.length > 0 || response.status >= 400
            ? "rejected"
            : "ok";
      metrics.request(endpoint, p.operation, outcome, (performance.now() - p.started) / 1000);
      for (const code of p.codes) metrics.error(endpoint, code);
      if (outcome !== "ok") {
        log.info("request refused or failed", {
          operation: p.operation,
          status: response.status,
          codes: p.codes,
        });
      }
    },
  };
}
