import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keys, toHex } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { context, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { parse } from "graphql";
import { GatewayError } from "../../src/errors.js";
import { executorFor } from "../../src/federation/executor.js";
import { decodeReceipt } from "../../src/receipts/codec.js";
import {
  A,
  B,
  baseLedger,
  C,
  Clock,
  DATASET,
  GRANT,
  h,
  type MapLedger,
  makeClient,
  makeSide,
  routedFetch,
  type Side,
  testProver,
  testVerifier,
} from "../provider/world.js";

const lookup = { kind: "lookup" as const, key: "p-1", fields: ["area", "district"] };
const threshold = { kind: "threshold" as const, key: "p-1", field: "area", op: "gte" as const, value: 100 };
const call = (query: typeof lookup | typeof threshold) => ({
  provider: A,
  dataset: DATASET,
  grant: GRANT,
  query,
});
const rejects = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (e: unknown) => e instanceof GatewayError && e.code === code);

describe("federation client against a provider", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let provider: Side;
  let asker: Store;

  before(async () => {
    ledger = baseLedger();
    provider = await makeSide(A, ledger, clock, { prover: testProver() });
    asker = await openStore({ kind: "pglite" });
  });
  after(async () => {
    await provider.store.close();
    await asker.close();
  });

  it("a lookup comes back verified, with a receipt id both sides compute alike, and the call is logged", async () => {
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]));
    const answer = await client.call(call(lookup));
    assert.deepEqual(answer.result, {
      kind: "lookup",
      found: true,
      fields: { area: 120, district: "Pudong" },
    });
    assert.equal(answer.verification.proof, null);
    const id = Buffer.from(answer.verification.receipt.id, "hex");
    assert.equal((await provider.store.gateway?.issuedReceipt(id))?.status, "pending");
    // The call log is written after the answer; its reads wait for the writes queued before them.
    const [logged] = await client.callLog.getCalls([id]);
    assert.ok(logged);
    const receipt = decodeReceipt(logged.receipt);
    assert.equal(receipt.requester, B);
    assert.equal(receipt.provider, A);
    assert.equal(receipt.queryKind, "lookup");
  });

  it("a proved kind is verified against the commitment on the ledger", async () => {
    const verifier = testVerifier();
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]), { answerVerifier: verifier });
    const answer = await client.call(call(threshold));
    assert.deepEqual(answer.result, { kind: "threshold", holds: true });
    assert.equal(answer.verification.proof?.verified, true);
    assert.equal(answer.verification.proof?.commitment, toHex(new Uint8Array(32).fill(9)));
    assert.equal(verifier.verified, 1);
  });

  it("PROOF_INVALID when the proof does not fit the commitment in force (e.g. a newer commitment)", async () => {
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]), {
      answerVerifier: testVerifier(),
    });
    const dataset = ledger.get(keys.dataset(DATASET));
    assert.ok(dataset?.commitment);
    ledger.set(keys.dataset(DATASET), {
      ...dataset,
      commitment: { ...dataset.commitment, root: new Uint8Array(32).fill(1) },
    });
    try {
      await rejects(client.call(call(threshold)), "PROOF_INVALID");
    } finally {
      ledger.set(keys.dataset(DATASET), dataset);
    }
  });

  it("UNSUPPORTED_QUERY for a proved kind without a verifier; GRANT_REQUIRED without a grant, before any call", async () => {
    const log = { bodies: [] as unknown[], headers: [] as Headers[] };
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider], log));
    await rejects(client.call(call(threshold)), "UNSUPPORTED_QUERY");
    const other = makeClient(C, ledger, clock, asker, routedFetch([provider], log));
    await rejects(other.call(call(lookup)), "GRANT_REQUIRED");
    assert.equal(log.bodies.length, 0);
  });

  it("a tampered answer (result changed in transit) is refused: hashes no longer match the signature", async () => {
    const inner = routedFetch([provider]);
    const tampering = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await inner(input, init);
      const json = (await res.json()) as { data: { answer: { result: { fields: { area: number } } } } };
      json.data.answer.result.fields.area = 999;
      return new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    await rejects(makeClient(B, ledger, clock, asker, tampering).call(call(lookup)), "UNAUTHENTICATED");
  });

  it("a response signed by another key is refused", async () => {
    const inner = routedFetch([provider]);
    const resigned = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await inner(input, init);
      const json = (await res.json()) as { extensions: { coken: { signature: string } } };
      const sig = Buffer.from(json.extensions.coken.signature, "base64");
      sig[0] = (sig[0] ?? 0) ^ 1;
      json.extensions.coken.signature = sig.toString("base64");
      return new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    await rejects(makeClient(B, ledger, clock, asker, resigned).call(call(lookup)), "UNAUTHENTICATED");
  });

  it("a response larger than the transport's bound is refused unread, whether declared or streamed", async () => {
    const huge = "x".repeat(5 * 1024 * 1024);
    const declared = (async () =>
      new Response(JSON.stringify({ data: { pad: huge } }), {
        headers: { "content-type": "application/json" },
      })) as typeof fetch;
    await rejects(makeClient(B, ledger, clock, asker, declared).call(call(lookup)), "UPSTREAM_UNAVAILABLE");
    let sent = 0;
    const streamed = (async () => {
      const chunk = new TextEncoder().encode(`{"data":{"pad":"${"y".repeat(1024 * 1024)}`);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 1;
          // an endless body without a length: the asker must stop reading at its bound
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    await rejects(makeClient(B, ledger, clock, asker, streamed).call(call(lookup)), "UPSTREAM_UNAVAILABLE");
    assert.ok(sent <= 6, `read ${sent} MiB of an endless body`);
  });

  it("provider refusals keep their code", async () => {
    ledger.freeze("grant", GRANT);
    try {
      await rejects(
        makeClient(B, ledger, clock, asker, routedFetch([provider])).call(call(lookup)),
        "FROZEN",
      );
    } finally {
      ledger.delete(keys.freeze("grant", GRANT));
    }
  });

  it("identical concurrent calls share one upstream call; different ones share one batched HTTP request", async () => {
    const log = { bodies: [] as unknown[], headers: [] as Headers[] };
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider], log));
    const [a, b] = await Promise.all([client.call(call(lookup)), client.call(call(lookup))]);
    assert.equal(a, b);
    assert.equal(log.bodies.length, 1);
    assert.ok(!Array.isArray(log.bodies[0]));
    const other = { ...lookup, key: "p-2" };
    const [c, d] = await Promise.all([
      client.call(call(lookup)),
      client.call({ ...call(lookup), query: other }),
    ]);
    assert.equal(log.bodies.length, 2);
    assert.ok(Array.isArray(log.bodies[1]) && log.bodies[1].length === 2);
    assert.notEqual(c.verification.receipt.id, d.verification.receipt.id);
    // One signature each way for the batched request: the answers name the response hashes signed together.
    const sent = log.bodies[1] as { extensions: { coken: { signature: string; batch?: string } } }[];
    assert.equal(sent[0]?.extensions.coken.signature, sent[1]?.extensions.coken.signature);
    assert.match(sent[0]?.extensions.coken.batch ?? "", /^[A-Za-z0-9+/]{86}==$/);
    assert.equal(a.verification.providerBatch, null);
    assert.equal(c.verification.providerSignature, d.verification.providerSignature);
    assert.match(c.verification.providerBatch ?? "", /^[0-9a-f]{128}$/);
    assert.deepEqual(d.result, { kind: "lookup", found: true, fields: { area: 80, district: "Xuhui" } });
  });

  it("retries an undelivered request with a new nonce, and never a timed-out one", async () => {
    let attempts = 0;
    const inner = routedFetch([provider]);
    const flaky = (async (input: string | URL | Request, init?: RequestInit) => {
      attempts++;
      if (attempts === 1) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      return inner(input, init);
    }) as typeof fetch;
    const answer = await makeClient(B, ledger, clock, asker, flaky).call(call(lookup));
    assert.equal(attempts, 2);
    assert.equal(answer.result.kind, "lookup");

    let slowCalls = 0;
    const slow = (async (_input: string | URL | Request, init?: RequestInit) => {
      slowCalls++;
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    }) as typeof fetch;
    const client = makeClient(B, ledger, clock, asker, slow, { transport: { timeoutMs: 50 } });
    await rejects(client.call(call(lookup)), "UPSTREAM_TIMEOUT");
    assert.equal(slowCalls, 1);
  });

  it("opens one client span per upstream request and propagates the caller's trace in traceparent", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = tracerProvider.getTracer("test");
    const log = { bodies: [] as unknown[], headers: [] as Headers[] };
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider], log), { tracer });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await client.call(call(lookup), { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1);
    const span = spans[0];
    assert.ok(span);
    assert.equal(span.spanContext().traceId, traceId);
    assert.equal(span.attributes["coken.provider"], A);
    const sent = log.headers[0]?.get("traceparent") ?? "";
    assert.match(sent, new RegExp(`^00-${traceId}-${span.spanContext().spanId}-01$`));
    assert.equal(trace.getSpan(context.active()), undefined);
    await tracerProvider.shutdown();
  });

  it("executorFor: a stitching executor over the same signed transport", async () => {
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]));
    const exec = executorFor(client.transport, A, h);
    const result = (await exec({ document: parse("{ __typename }") })) as { data?: unknown };
    assert.deepEqual(result.data, { __typename: "Query" });
    const inner = routedFetch([provider]);
    const tampering = (async (input: string | URL | Request, init?: RequestInit) => {
      const json = (await (await inner(input, init)).json()) as { data: { __typename: string } };
      json.data.__typename = "Mutation";
      return new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    const bad = executorFor(makeClient(B, ledger, clock, asker, tampering).transport, A, h);
    await rejects(Promise.resolve(bad({ document: parse("{ __typename }") })), "UNAUTHENTICATED");
  });
});
