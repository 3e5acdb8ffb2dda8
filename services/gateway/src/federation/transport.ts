import { randomBytes } from "node:crypto";
import { type AgencyId, bytesEqual, type Hasher, keys, type Signer, type Verifier } from "@coken/ledger";
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { ExecutionResult } from "graphql";
import { GatewayError, type GatewayErrorCode } from "../errors.js";
import type { LedgerReader } from "../provider/ledger-reader.js";
import { NONCE_LENGTH, type RequestEnvelope, type ResponseEnvelope } from "../signing/envelope.js";
import { documentHash, variablesHash } from "../signing/hashes.js";
import {
  CheckedBatches,
  readSignedResponse,
  responseHashSigned,
  signRequestsHashed,
  type WireSigned,
} from "../signing/wire.js";
import type { CallContext } from "./types.js";

/** One GraphQL operation for another agency, with what its signed envelope names. */
export interface UpstreamOperation {
  document: string;
  variables: Record<string, unknown>;
  operationName?: string | undefined;
  grant: string | null;
  dataset: string | null;
  /**
   * Larger bounds for this operation than the transport's (a well-formedness evidence is megabytes and slow to
   * serve); a batch gets the largest of its operations'.
   */
  limits?: { timeoutMs?: number; maxResponseBytes?: number };
}

/** An upstream result whose response signature and request binding are checked (when it carries one). */
export interface UpstreamResult {
  result: ExecutionResult;
  request: RequestEnvelope;
  requestHash: Uint8Array;
  /** Null when the provider refused before executing (its errors are unsigned). */
  response: ResponseEnvelope | null;
  providerSignature: Uint8Array | null;
  /** The response hashes the provider signed together with this one (see `WireSigned`); null if signed alone. */
  providerBatch: Uint8Array | null;
}

export interface SignedTransportComponents {
  self: AgencyId;
  signer: Signer;
  hasher: Hasher;
  verifier: Verifier;
  ledger: LedgerReader;
  /** Base URL of an agency's gateway (its `/peer/graphql` lives below it); undefined if unknown. */
  peerUrl(agency: AgencyId): string | undefined;
  now(): number;
  fetch?: typeof fetch;
  tracer?: Tracer;
}

export interface TransportOptions {
  timeoutMs: number;
  /** How long a signed request stays valid (the provider bounds it too). */
  requestTtlMs: number;
  /** Extra attempts when the request could not be delivered at all (connection refused, unknown host). */
  retries: number;
  retryDelayMs: number;
  /** Operations sent together in one HTTP request (GraphQL batching); 1 turns batching off. */
  maxBatch: number;
  /** Bytes of one response body read at most: a provider cannot make the asker buffer more. */
  maxResponseBytes: number;
}

export const DEFAULT_TRANSPORT_OPTIONS: TransportOptions = {
  timeoutMs: 10_000,
  requestTtlMs: 60_000,
  retries: 2,
  retryDelayMs: 100,
  maxBatch: 16,
  maxResponseBytes: 4 * 1024 * 1024,
};

/** The response's JSON, read up to `max` bytes (declared or streamed); beyond that the body is dropped. */
async function boundedJson(response: Response, max: number): Promise<unknown> {
  const tooLarge = () =>
    new GatewayError("UPSTREAM_UNAVAILABLE", `the provider's response is larger than ${max} bytes`);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    total += next.value.byteLength;
    if (total > max) {
      await reader?.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(next.value);
  }
  return JSON.parse(Buffer.concat(parts, total).toString("utf8"));
}

interface Queued {
  op: UpstreamOperation;
  context: CallContext;
  resolve(r: UpstreamResult): void;
  reject(e: unknown): void;
}

// Errors raised before a byte reached the provider: resending (with a fresh nonce) cannot answer twice.
const UNDELIVERED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const KNOWN_CODES = new Set<GatewayErrorCode>([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "GRANT_REQUIRED",
  "GRANT_EXPIRED",
  "QUOTA_EXCEEDED",
  "FROZEN",
  "BAD_USER_INPUT",
  "REPLAYED",
  "RATE_LIMITED",
  "UNSUPPORTED_QUERY",
  "PAYLOAD_TOO_LARGE",
]);

const propagator = new W3CTraceContextPropagator();

function undelivered(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === "string" && UNDELIVERED.has(cause.code);
}

/** The provider's refusal as a GatewayError with its code (unknown codes become UPSTREAM_UNAVAILABLE). */
export function upstreamError(result: ExecutionResult): GatewayError | null {
  const first = result.errors?.[0];
  if (first === undefined) return null;
  const code = first.extensions?.code;
  if (typeof code === "string" && KNOWN_CODES.has(code as GatewayErrorCode))
    return new GatewayError(code as GatewayErrorCode, first.message);
  return new GatewayError("UPSTREAM_UNAVAILABLE", "the provider failed to answer");
}

/**
 * The HTTP transport Coken owns for calls to other agencies: batches the operations queued for one agency in
 * the same tick into one request and signs their envelopes together (one signature per request), bounds each request by a timeout, retries
 * only undelivered requests (re-signed with a new nonce), opens one client span per upstream request with W3C
 * `traceparent` propagation, and checks the signature and request binding of every response.
 */
export class SignedTransport {
  private readonly queues = new Map<AgencyId, Queued[]>();
  private readonly fetchFn: typeof fetch;
  private readonly tracer: Tracer;

  constructor(
    private readonly c: SignedTransportComponents,
    private readonly options: TransportOptions = DEFAULT_TRANSPORT_OPTIONS,
  ) {
    this.fetchFn = c.fetch ?? fetch;
    this.tracer = c.tracer ?? trace.getTracer("@coken/gateway");
  }

  /** Queues one operation for `provider`; resolves with its checked result. */
  send(provider: AgencyId, op: UpstreamOperation, context: CallContext = {}): Promise<UpstreamResult> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(provider);
      if (queue === undefined) {
        queue = [];
        this.queues.set(provider, queue);
        setImmediate(() => this.flush(provider));
      }
      queue.push({ op, context, resolve, reject });
      if (queue.length >= this.options.maxBatch) this.flush(provider);
    });
  }

  private flush(provider: AgencyId): void {
    const queue = this.queues.get(provider);
    if (queue === undefined || queue.length === 0) return;
    this.queues.delete(provider);
    this.post(provider, queue).catch((e: unknown) => {
      for (const q of queue) q.reject(e);
    });
  }

  /** Envelopes and bodies of the operations of one HTTP request, signed together with one signature. */
  private sign(
    provider: AgencyId,
    ops: UpstreamOperation[],
  ): { envelope: RequestEnvelope; hash: Uint8Array; body: unknown }[] {
    const time = this.c.now();
    const nonces = randomBytes(NONCE_LENGTH * ops.length);
    const envelopes = ops.map(
      (op, i): RequestEnvelope => ({
        requester: this.c.self,
        provider,
        grant: op.grant,
        dataset: op.dataset,
        queryHash: documentHash(this.c.hasher, op.document),
        variablesHash: variablesHash(this.c.hasher, op.variables),
        nonce: new Uint8Array(nonces.subarray(i * NONCE_LENGTH, (i + 1) * NONCE_LENGTH)),
        time,
        expiresAt: time + this.options.requestTtlMs,
      }),
    );
    const { wire, hashes } = signRequestsHashed(this.c.hasher, this.c.signer, envelopes);
    return ops.map((op, i) => ({
      envelope: envelopes[i] as RequestEnvelope,
      hash: hashes[i] as Uint8Array,
      body: {
        query: op.document,
        variables: op.variables,
        ...(op.operationName === undefined ? {} : { operationName: op.operationName }),
        extensions: { coken: wire[i] as WireSigned },
      },
    }));
  }

  private async post(provider: AgencyId, batch: Queued[]): Promise<void> {
    const base = this.c.peerUrl(provider);
    if (base === undefined)
      throw new GatewayError("UPSTREAM_UNAVAILABLE", "no gateway address for this agency");
    const url = `${base.replace(/\/$/, "")}/peer/graphql`;
    const parent = propagator.extract(
      ROOT_CONTEXT,
      batch[0]?.context.traceparent ? { traceparent: batch[0].context.traceparent } : {},
      defaultTextMapGetter,
    );
    const span = this.tracer.startSpan(
      "coken.gateway.upstream",
      {
        kind: SpanKind.CLIENT,
        attributes: { "coken.provider": provider, "coken.operations": batch.length, "url.full": url },
      },
      parent,
    );
    try {
      const signed = await this.deliver(url, provider, batch, trace.setSpan(parent, span));
      // The results of one response are signed together: their batch signature is verified once.
      const checked = new CheckedBatches();
      batch.forEach((q, i) => {
        const s = signed[i];
        if (s === undefined) q.reject(new GatewayError("UPSTREAM_UNAVAILABLE", "missing result in batch"));
        else {
          try {
            q.resolve(this.check(provider, s.envelope, s.hash, s.result, checked));
          } catch (e) {
            q.reject(e);
          }
        }
      });
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof GatewayError ? e.code : "error" });
      throw e;
    } finally {
      span.end();
    }
  }

  private async deliver(
    url: string,
    provider: AgencyId,
    batch: Queued[],
    ctx: ReturnType<typeof trace.setSpan>,
  ): Promise<{ envelope: RequestEnvelope; hash: Uint8Array; result: ExecutionResult }[]> {
    for (let attempt = 0; ; attempt++) {
      const signed = this.sign(
        provider,
        batch.map((q) => q.op),
      );
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: "application/json",
      };
      propagator.inject(ctx, headers, defaultTextMapSetter);
      const timeoutMs = Math.max(this.options.timeoutMs, ...batch.map((q) => q.op.limits?.timeoutMs ?? 0));
      const maxBytes = Math.max(
        this.options.maxResponseBytes,
        ...batch.map((q) => q.op.limits?.maxResponseBytes ?? 0),
      );
      const signals = [AbortSignal.timeout(timeoutMs)];
      for (const q of batch) if (q.context.signal) signals.push(q.context.signal);
      const body = signed.length === 1 ? signed[0]?.body : signed.map((s) => s.body);
      let response: Response;
      try {
        response = await this.fetchFn(url, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
      } catch (e) {
        if (undelivered(e) && attempt < this.options.retries) {
          await new Promise((r) => setTimeout(r, this.options.retryDelayMs * 2 ** attempt));
          continue;
        }
        if ((e as Error | null)?.name === "TimeoutError")
          throw new GatewayError("UPSTREAM_TIMEOUT", "the provider did not answer in time");
        throw new GatewayError("UPSTREAM_UNAVAILABLE", "the provider could not be reached");
      }
      let json: unknown;
      try {
        json = await boundedJson(response, maxBytes);
      } catch (e) {
        if (e instanceof GatewayError) throw e;
        if ((e as Error | null)?.name === "TimeoutError")
          throw new GatewayError("UPSTREAM_TIMEOUT", "the provider did not answer in time");
        throw new GatewayError(
          "UPSTREAM_UNAVAILABLE",
          `the provider answered HTTP ${response.status} without JSON`,
        );
      }
      const results = (signed.length === 1 ? [json] : json) as unknown[];
      if (!Array.isArray(results) || results.length !== signed.length)
        throw new GatewayError("UPSTREAM_UNAVAILABLE", "malformed batch response");
      return signed.map((s, i) => ({
        envelope: s.envelope,
        hash: s.hash,
        result: results[i] as ExecutionResult,
      }));
    }
  }

  private check(
    provider: AgencyId,
    envelope: RequestEnvelope,
    hash: Uint8Array,
    result: ExecutionResult,
    checked: CheckedBatches,
  ): UpstreamResult {
    if (typeof result !== "object" || result === null)
      throw new GatewayError("UPSTREAM_UNAVAILABLE", "malformed response");
    const wire = (result.extensions as Record<string, unknown> | undefined)?.coken;
    if (wire === undefined) {
      const refused = upstreamError(result);
      if (refused !== null)
        return {
          result,
          request: envelope,
          requestHash: hash,
          response: null,
          providerSignature: null,
          providerBatch: null,
        };
      throw new GatewayError("UNAUTHENTICATED", "unsigned response");
    }
    const { response, hash: responseHash, ...signed } = readSignedResponse(this.c.hasher, wire);
    const agency = this.c.ledger.get(keys.agency(provider));
    if (
      agency === undefined ||
      !responseHashSigned(this.c.hasher, this.c.verifier, agency, responseHash, signed, checked) ||
      !bytesEqual(response.requestHash, hash)
    )
      throw new GatewayError("UNAUTHENTICATED", "bad response signature");
    return {
      result,
      request: envelope,
      requestHash: hash,
      response,
      providerSignature: signed.signature,
      providerBatch: signed.batch,
    };
  }
}
