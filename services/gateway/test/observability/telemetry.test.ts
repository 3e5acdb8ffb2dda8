import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { GatewayError } from "../../src/errors.js";
import { memoryLogger } from "../../src/observability/log.js";
import { createTracing, type GatewayTracing } from "../../src/observability/tracing.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { gql } from "../official/client.js";
import { buildWorld, OWNER, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const COUNT = `query CountArea { region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") {
  count(field: "area", from: "1", to: "2") { count } } } } }`;
const SECRET_KEY = "citizen-110101199001011234";
const MEMBERSHIP = `query Member { region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") {
  membership(key: "${SECRET_KEY}") { member } } } } }`;

describe("observability: traces, metrics, logs", () => {
  let world: World;
  let server: GatewayServer;
  let url: string;
  let tracing: GatewayTracing;
  const exporter = new InMemorySpanExporter();
  const federation = new ScriptedFederation();
  const logger = memoryLogger();
  before(async () => {
    world = await buildWorld();
    tracing = createTracing({ exporter });
    server = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, federation),
      tracer: tracing.tracer,
      logger,
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await tracing.close();
    await world.close();
  });

  it("continues the caller's trace: a server span per request, a client span per provider call, traceparent sent on", async () => {
    exporter.reset();
    const res = await gql(url, COUNT, undefined, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    assert.equal(res.body.data.region.agency.dataset.count.count, 42);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === "coken.official");
    const upstream = spans.find((s) => s.name === "coken.upstream");
    assert.ok(server && upstream);
    assert.equal(server.kind, SpanKind.SERVER);
    assert.equal(server.spanContext().traceId, TRACE_ID);
    assert.equal(server.parentSpanContext?.spanId, CALLER_SPAN);
    assert.equal(upstream.kind, SpanKind.CLIENT);
    assert.equal(upstream.spanContext().traceId, TRACE_ID);
    assert.equal(upstream.parentSpanContext?.spanId, server.spanContext().spanId);
    assert.equal(upstream.attributes["coken.provider"], OWNER);
    // The provider sees the upstream span as its parent.
    assert.equal(federation.traceparents.at(-1), `00-${TRACE_ID}-${upstream.spanContext().spanId}-01`);
  });

  it("starts a new trace when the caller sends none or a malformed one", async () => {
    exporter.reset();
    await gql(url, "{ __typename }", undefined, { traceparent: "garbage" });
    const span = exporter.getFinishedSpans().find((s) => s.name === "coken.official");
    assert.ok(span);
    assert.notEqual(span.spanContext().traceId, TRACE_ID);
    assert.equal(span.parentSpanContext, undefined);
  });

  it("counts requests by operation and outcome, errors by code, upstream latency by provider", async () => {
    federation.fail = new GatewayError("QUOTA_EXCEEDED", "quota used up");
    await gql(url, MEMBERSHIP);
    federation.fail = null;
    await gql(url, "{ nope }");
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      text,
      /coken_gateway_requests_total\{endpoint="official",operation="CountArea",outcome="ok"\} 1/,
    );
    assert.match(
      text,
      /coken_gateway_requests_total\{endpoint="official",operation="Member",outcome="rejected"\} 1/,
    );
    assert.match(text, /coken_gateway_errors_total\{endpoint="official",code="QUOTA_EXCEEDED"\} 1/);
    assert.match(
      text,
      /coken_gateway_errors_total\{endpoint="official",code="GRAPHQL_VALIDATION_FAILED"\} 1/,
    );
    assert.match(
      text,
      new RegExp(
        `coken_gateway_upstream_duration_seconds_count\\{provider="${OWNER.replace(".", "\\.")}",outcome="ok"\\} 1`,
      ),
    );
    assert.match(
      text,
      /coken_gateway_upstream_duration_seconds_count\{provider="sh\.land-registry",outcome="error"\} 1/,
    );
    assert.match(text, /coken_gateway_request_duration_seconds_bucket/);
    // Process metrics, for memory under load.
    assert.match(text, /coken_gateway_process_resident_memory_bytes \d+/);
    assert.match(text, /coken_gateway_nodejs_eventloop_lag_seconds/);
  });

  it("logs refusals with codes and ids, never the keys or values asked about", async () => {
    federation.fail = new GatewayError("FORBIDDEN", "no");
    await gql(url, MEMBERSHIP);
    federation.fail = null;
    const failed = logger.entries.find((e) => e.msg === "provider call failed");
    assert.ok(failed);
    assert.deepEqual(failed.fields, { provider: OWNER, dataset: "sh/property", code: "QUOTA_EXCEEDED" });
    assert.ok(
      logger.entries.some(
        (e) => e.msg === "request refused or failed" && (e.fields.codes as string[]).includes("FORBIDDEN"),
      ),
    );
    assert.doesNotMatch(JSON.stringify(logger.entries), new RegExp(SECRET_KEY));
  });
});
