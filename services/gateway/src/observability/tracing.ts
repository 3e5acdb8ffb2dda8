import {
  type Context,
  context as contextApi,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

const propagator = new W3CTraceContextPropagator();

export interface GatewayTracing {
  readonly tracer: Tracer;
  /** Flushes pending spans and stops the provider. */
  close(): Promise<void>;
}

export interface TracingInit {
  /** Where spans go (an OTLP exporter in production, an InMemorySpanExporter in tests). */
  exporter: SpanExporter;
  /** Batch spans before export (production); tests export each span as it ends. */
  batch?: boolean;
}

/** A tracer provider of the gateway's own; nothing is registered globally. */
export function createTracing(init: TracingInit): GatewayTracing {
  const processor = init.batch
    ? new BatchSpanProcessor(init.exporter)
    : new SimpleSpanProcessor(init.exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  return { tracer: provider.getTracer("coken-gateway"), close: () => provider.shutdown() };
}

/** The trace context a caller sent in `traceparent`/`tracestate`, or the root context. */
export function extractTraceContext(headers: Headers): Context {
  const carrier: Record<string, string> = {};
  for (const name of ["traceparent", "tracestate"]) {
    const value = headers.get(name);
    if (value !== null) carrier[name] = value;
  }
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** The `traceparent` header value naming `span` as parent, for propagation to an upstream call. */
export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The parent context a `traceparent` value names (root context when absent or malformed). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/**
 * Runs one upstream call in a client span, child of the request's span (named by `traceparent`), and hands the
 * call the child's own `traceparent` to send on. The span records the outcome; the error is rethrown.
 */
export async function withUpstreamSpan<T>(
  tracer: Tracer,
  parent: string | undefined,
  provider: string,
  call: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(
    "coken.upstream",
    { kind: SpanKind.CLIENT, attributes: { "coken.provider": provider } },
    contextFromTraceparent(parent),
  );
  try {
    const result = await contextApi.with(trace.setSpan(ROOT_CONTEXT, span), () => call(traceparentOf(span)));
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (e) {
    const code =
      typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "INTERNAL";
    span.setAttribute("coken.error_code", code);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw e;
  } finally {
    span.end();
  }
}
