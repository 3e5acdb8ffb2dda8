import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { type Tracer, trace } from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { DatasetCall } from "../federation/types.js";
import { disableIntrospection } from "../hardening/introspection.js";
import { DEFAULT_QUERY_LIMITS, type QueryLimits, queryLimitPlugin } from "../hardening/limits.js";
import { maskError } from "../hardening/mask.js";
import { nestingLimit } from "../hardening/nesting.js";
import { type PersistedDocuments, persistedDocuments } from "../hardening/persisted.js";
import { type Logger, silentLogger } from "../observability/log.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { requestObserver } from "../observability/request-plugin.js";
import { withUpstreamSpan } from "../observability/tracing.js";
import type { OfficialComponents, OfficialContext } from "./models.js";
import { officialSchema } from "./schema.js";

export type GatewayMode = "dev" | "production";

export interface OfficialEndpointOptions {
  /** dev: GraphiQL and introspection on, arbitrary documents; production: neither, trusted documents only. */
  mode: GatewayMode;
  limits?: Partial<QueryLimits>;
  /**
   * Trusted documents, run by id (`documentId` or the `persistedQuery` extension); required in production, where
   * they are the only documents accepted. In dev, document texts run as well.
   */
  persistedDocuments?: PersistedDocuments;
  /** Header names any one of which marks a request as not a browser's simple request (CSRF). */
  csrfHeaders?: string[];
}

export interface OfficialEndpointComponents {
  official: OfficialComponents;
  metrics: GatewayMetrics;
  tracer?: Tracer;
  logger?: Logger;
  /** The schema served; default the local officials' schema (see stitching/ for the stitched one). */
  schema?: GraphQLSchema;
}

/** What the HTTP layer hands each request: who asks and the trace context to propagate upstream. */
export interface OfficialServerContext {
  officialId: string | null;
  traceparent?: string;
  signal?: AbortSignal;
}

export type OfficialEndpoint = YogaServerInstance<OfficialServerContext, OfficialContext>;

/** Builds the officials' `/graphql` endpoint (a graphql-yoga instance; the HTTP server routes to its `fetch`). */
export function createOfficialEndpoint(options: OfficialEndpointOptions) {
  return (components: OfficialEndpointComponents): OfficialEndpoint => {
    const production = options.mode === "production";
    if (production && options.persistedDocuments === undefined) {
      throw new RangeError("production mode needs a persisted documents manifest");
    }
    const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    const log = (components.logger ?? silentLogger).child("official");
    const tracer = components.tracer ?? trace.getTracer("coken-gateway");
    const now = components.official.clock ?? Date.now;
    const { federation } = components.official;
    // Every provider call: a child span of the request's, its traceparent sent on, its latency measured.
    const federate = (call: DatasetCall, traceparent: string | undefined, signal: AbortSignal | undefined) =>
      withUpstreamSpan(tracer, traceparent, call.provider, async (childTraceparent) => {
        const started = performance.now();
        try {
          const answer = await federation.call(call, {
            ...(signal === undefined ? {} : { signal }),
            ...(childTraceparent === undefined ? {} : { traceparent: childTraceparent }),
          });
          components.metrics.observeUpstream(call.provider, (performance.now() - started) / 1000, "ok");
          return answer;
        } catch (e) {
          const timeout = (e as { code?: unknown }).code === "UPSTREAM_TIMEOUT";
          const seconds = (performance.now() - started) / 1000;
          components.metrics.observeUpstream(call.provider, seconds, timeout ? "timeout" : "error");
          log.info("provider call failed", {
            provider: call.provider,
            dataset: call.dataset,
            code: (e as { code?: unknown }).code ?? "INTERNAL",
          });
          throw e;
        }
      });
    const plugins: Plugin[] = [
      requestObserver("official", components.metrics, log),
      useCSRFPrevention({
        requestHeaders: options.csrfHeaders ?? ["x-coken-csrf", "graphql-client-name"],
      }) as Plugin,
      nestingLimit(limits.maxNesting),
      queryLimitPlugin(limits),
    ];
    if (options.persistedDocuments !== undefined)
      plugins.push(persistedDocuments(options.persistedDocuments, { only: production }));
    if (production) plugins.push(disableIntrospection());
    return createYoga<OfficialServerContext, OfficialContext>({
      schema: components.schema ?? officialSchema,
      graphqlEndpoint: "/graphql",
      graphiql: !production,
      landingPage: false,
      logging: false,
      maskedErrors: { maskError },
      plugins,
      context: ({ officialId, traceparent, signal }): OfficialContext => ({
        official: components.official,
        officialId,
        now,
        federate: (call) => federate(call, traceparent, signal),
        actionsNeedOfficial: production,
      }),
    });
  };
}
