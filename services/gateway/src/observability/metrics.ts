import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export type RequestOutcome = "ok" | "error" | "rejected";
export type UpstreamOutcome = "ok" | "error" | "timeout";

/**
 * The gateway's Prometheus metrics, on a registry of its own (several gateways may share one process in
 * tests). Part of the inter-agency executor reports upstream latency through `observeUpstream`.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** One finished GraphQL request on `endpoint` ("official" or "peer"). */
  request(endpoint: string, operation: string, outcome: RequestOutcome, seconds: number): void;
  /** One error returned to a caller, by its stable code. */
  error(endpoint: string, code: string): void;
  /** One call to a provider agency, timed from send to verified answer (or failure). */
  observeUpstream(provider: string, seconds: number, outcome: UpstreamOutcome): void;
  /** Text exposition for `/metrics`. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * Creates the metric set; `prefix` namespaces the names (default "coken_gateway_"). With `processMetrics`, the
 * registry also reports the process (resident memory, heap, event-loop delay, GC) under the same prefix.
 */
export function createGatewayMetrics(prefix = "coken_gateway_", processMetrics = true): GatewayMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix });
  const requests = new Counter({
    name: `${prefix}requests_total`,
    help: "GraphQL requests by endpoint, operation name and outcome",
    labelNames: ["endpoint", "operation", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}request_duration_seconds`,
    help: "GraphQL request duration by endpoint",
    labelNames: ["endpoint"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: `${prefix}errors_total`,
    help: "Errors returned to callers by stable code",
    labelNames: ["endpoint", "code"] as const,
    registers: [registry],
  });
  const upstream = new Histogram({
    name: `${prefix}upstream_duration_seconds`,
    help: "Latency of calls to provider agencies",
    labelNames: ["provider", "outcome"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    contentType: registry.contentType,
    request(endpoint, operation, outcome, seconds) {
      requests.inc({ endpoint, operation, outcome });
      duration.observe({ endpoint }, seconds);
    },
    error(endpoint, code) {
      errors.inc({ endpoint, code });
    },
    observeUpstream(provider, seconds, outcome) {
      upstream.observe({ provider, outcome }, seconds);
    },
    render: () => registry.metrics(),
  };
}
