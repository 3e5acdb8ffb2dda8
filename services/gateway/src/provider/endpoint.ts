import { fromHex, type GrantId, type Signer, toHex, type Verifier } from "@coken/ledger";
import type { GatewayRepository } from "@coken/store";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { type ExecutionResult, GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { GatewayError, isGatewayError } from "../errors.js";
import { CallLog } from "../federation/call-log.js";
import type { QueryLimits } from "../hardening/limits.js";
import { decodeReceiptList } from "../receipts/codec.js";
import { cosignBatch } from "../receipts/cosigner.js";
import type { ResponseEnvelope } from "../signing/envelope.js";
import { proofHash, resultHash } from "../signing/hashes.js";
import { CheckedBatches, signResponses } from "../signing/wire.js";
import { type AnswerComponents, answerCall, type ProviderAnswer } from "./answer.js";
import { type AuthenticatedRequest, authenticate, type ReplayWindow } from "./authenticate.js";
import { type ProviderGrantPolicy, parseMinGroupSize, policyProver, ThresholdCaps } from "./grant-policy.js";
import { batchLimit, DEFAULT_PEER_QUERY_LIMITS, peerDocumentLimits } from "./limits.js";
import { NonceCache } from "./nonces.js";
import { createRateLimiter, type RateLimit } from "./rate-limit.js";
import { groupedRowReads, type RowSource } from "./row-reads.js";
import { JsonScalar, peerTypeDefs } from "./schema.js";

export interface PeerEndpointComponents extends Omit<AnswerComponents, "rateLimiter" | "rows"> {
  /** This provider's policy per grant (threshold caps); absent: none. */
  grantPolicy?: (grant: GrantId) => ProviderGrantPolicy | undefined;
  /** Well-formedness evidence (public JSON) of this agency's commitment in force for a dataset; null when none. */
  evidence?: (dataset: string) => Promise<unknown>;
  /** The agency's own rows; lookups of one batched request are read together (see `groupedRowReads`). */
  rows: RowSource;
  signer: Signer;
  verifier: Verifier;
  repo: GatewayRepository;
}

export interface PeerEndpointOptions {
  window: ReplayWindow;
  rateLimit: RateLimit;
  /** Operations per HTTP request (GraphQL batching). */
  maxBatch: number;
  maxBodyBytes: number;
  /** Document limits of each authenticated operation; default `DEFAULT_PEER_QUERY_LIMITS`. */
  limits?: Partial<QueryLimits>;
}

export const DEFAULT_PEER_ENDPOINT_OPTIONS: PeerEndpointOptions = {
  window: { maxSkewMs: 30_000, maxLifetimeMs: 120_000 },
  rateLimit: { perSecond: 200, burst: 400 },
  maxBatch: 16,
  maxBodyBytes: 1 << 20,
};

interface PeerContext {
  auth: AuthenticatedRequest;
  /** Set when the request's one dataset call starts (resolvers of one operation may run concurrently). */
  answering?: boolean;
  answer?: ProviderAnswer;
}

/** A response envelope waiting for the signature its HTTP response gets when every operation is done. */
class UnsignedResponse {
  constructor(readonly envelope: ResponseEnvelope) {}
  // Never sent as is: should it reach a serializer, it shows as unsigned.
  toJSON(): null {
    return null;
  }
}

/** Gateway codes pass with their message; GraphQL's own validation errors pass as BAD_USER_INPUT; the rest is masked. */
function maskError(error: unknown): Error {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (isGatewayError(original))
    return new GraphQLError(original.message, { extensions: { code: original.code } });
  if (error instanceof GraphQLError && error.originalError === undefined)
    return new GraphQLError(error.message, {
      extensions: {
        code: (error.extensions.code as string | undefined) ?? "BAD_USER_INPUT",
        // An HTTP status a refusal sets for itself (the batch limit's 413) stays.
        ...(error.extensions.http === undefined ? {} : { http: error.extensions.http }),
      },
    });
  return new GraphQLError("Unexpected error.", { extensions: { code: "INTERNAL" } });
}

/**
 * The `/peer/graphql` endpoint other agencies call: a graphql-yoga instance (a fetch-style handler) that
 * authenticates every operation's signed envelope while building its context, answers dataset calls, reports
 * receipt states, co-signs receipt batches, and signs every executed response.
 */
export function createPeerEndpoint(
  c: PeerEndpointComponents,
  options: PeerEndpointOptions = DEFAULT_PEER_ENDPOINT_OPTIONS,
): YogaServerInstance<Record<string, unknown>, PeerContext> {
  // The same log the federation client of this store writes to: co-signing waits for its queued writes.
  const callLog = CallLog.of(c.repo);
  const answerComponents: AnswerComponents = {
    ...c,
    rows: groupedRowReads(c.rows),
    rateLimiter: createRateLimiter(options.rateLimit),
  };
  const caps = new ThresholdCaps(c.grantPolicy ?? (() => undefined), c.repo);
  const schema = makeExecutableSchema<PeerContext>({
    typeDefs: peerTypeDefs,
    resolvers: {
      JSON: JsonScalar,
      Query: {
        async answer(
          _: unknown,
          args: { dataset: string; grant: string; query: unknown; minGroupSize?: number | null },
          ctx: PeerContext,
        ) {
          if (ctx.answering) throw new GatewayError("BAD_USER_INPUT", "one dataset call per request");
          ctx.answering = true;
          const minGroupSize = parseMinGroupSize(args.minGroupSize);
          const prover =
            answerComponents.prover === undefined
              ? undefined
              : policyProver(answerComponents.prover, { grant: args.grant, minGroupSize }, caps);
          const answer = await answerCall({ ...answerComponents, prover }, ctx.auth, {
            dataset: args.dataset,
            grant: args.grant,
            query: args.query,
          });
          ctx.answer = answer;
          return {
            result: answer.result,
            proof: answer.proof,
            receiptId: toHex(answer.receiptId),
            providerTime: c.now(),
          };
        },
        async receipt(_: unknown, args: { id: string }, ctx: PeerContext) {
          const id = fromHex(args.id);
          if (id === undefined || id.length !== 32)
            throw new GatewayError("BAD_USER_INPUT", "malformed receipt id");
          const state = await c.repo.issuedReceipt(id);
          if (state === null || state.requester !== ctx.auth.envelope.requester) return null;
          return { id: args.id, status: state.status, height: state.committedHeight };
        },
        async wellFormedEvidence(_: unknown, args: { dataset: string }) {
          return (await c.evidence?.(args.dataset)) ?? null;
        },
      },
      Mutation: {
        async cosignReceipts(_: unknown, args: { receipts: string }, ctx: PeerContext) {
          const receipts = decodeReceiptList(args.receipts);
          const outcome = await cosignBatch(
            {
              self: c.self,
              signer: c.signer,
              hasher: c.hasher,
              calls: callLog,
              now: c.now,
              inFlightMs: options.window.maxLifetimeMs + options.window.maxSkewMs,
            },
            ctx.auth.envelope.requester,
            receipts,
          );
          return "signature" in outcome
            ? { signature: Buffer.from(outcome.signature).toString("base64"), rejected: [] }
            : { signature: null, rejected: outcome.rejected.map(toHex) };
        },
      },
    },
  });

  // Each executed operation gets its response envelope here; the envelopes of one HTTP response are signed
  // together once every operation of the request has finished (one signature for a batch, see `signResponses`).
  const signing: Plugin<PeerContext> = {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const ctx = args.contextValue as PeerContext;
          const answer = ctx.answer;
          // An answered call's nonce went to the store with its receipt; any other one is persisted now, off the
          // response path (lost only if the process dies in the next moment, for a call that was not answered).
          if (answer === undefined) {
            const { requester, nonce } = ctx.auth.envelope;
            c.repo.claimNonce(requester, nonce, ctx.auth.nonceExpiresMs).catch(() => {});
          }
          const envelope = new UnsignedResponse({
            requestHash: ctx.auth.hash,
            resultHash: answer ? answer.receipt.resultHash : resultHash(c.hasher, result.data),
            proofHash: answer ? answer.receipt.proofHash : proofHash(c.hasher, null),
            receiptId: answer ? answer.receiptId : null,
            time: c.now(),
          });
          setResult({ ...result, extensions: { ...result.extensions, coken: envelope } });
        },
      };
    },
    onResultProcess({ result, setResult }) {
      const results = Array.isArray(result) ? (result as ExecutionResult[]) : [result as ExecutionResult];
      const unsigned = new Map<ExecutionResult, ResponseEnvelope>();
      for (const r of results) {
        const coken = r?.extensions?.coken;
        if (coken instanceof UnsignedResponse) unsigned.set(r, coken.envelope);
      }
      if (unsigned.size === 0) return;
      const wire = signResponses(c.hasher, c.signer, [...unsigned.values()]);
      const signed = new Map([...unsigned.keys()].map((r, i) => [r, wire[i]]));
      const withSignature = (r: ExecutionResult) => {
        const coken = signed.get(r);
        return coken === undefined ? r : { ...r, extensions: { ...r.extensions, coken } };
      };
      setResult(
        Array.isArray(result) ? results.map(withSignature) : withSignature(result as ExecutionResult),
      );
    },
  };

  // Authentication runs on the raw params, before parsing and validation: an unsigned caller learns nothing,
  // not even whether its document is valid against this schema.
  const authenticated = new WeakMap<object, AuthenticatedRequest>();
  // Batch signatures checked per HTTP request: the operations signed together are verified once.
  const checkedBatches = new WeakMap<Request, CheckedBatches>();
  const nonces = NonceCache.open(c.repo, c.now());
  // Loading failures surface on the first request (as INTERNAL), not as an unhandled rejection.
  nonces.catch(() => {});
  const authenticateFirst: Plugin = {
    async onParams({ params, request, setResult }) {
      let checked = checkedBatches.get(request);
      if (checked === undefined) {
        checked = new CheckedBatches();
        checkedBatches.set(request, checked);
      }
      try {
        authenticated.set(params, await authenticate(params, { ...c, nonces }, options.window, checked));
      } catch (e) {
        setResult({ errors: [maskError(e) as GraphQLError] });
      }
    },
  };

  const limitBody: Plugin = {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > options.maxBodyBytes)
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [{ message: "Request too large.", extensions: { code: "PAYLOAD_TOO_LARGE" } }],
            }),
            { status: 413, headers: { "content-type": "application/json" } },
          ),
        );
    },
  };

  return createYoga<Record<string, unknown>, PeerContext>({
    schema,
    graphqlEndpoint: "/peer/graphql",
    graphiql: false,
    logging: false,
    landingPage: false,
    batching: { limit: options.maxBatch },
    maskedErrors: { maskError },
    plugins: [
      limitBody,
      batchLimit(options.maxBatch),
      authenticateFirst,
      ...peerDocumentLimits({ ...DEFAULT_PEER_QUERY_LIMITS, ...options.limits }, (p) => authenticated.has(p)),
      signing,
    ],
    context: ({ params }) => {
      const auth = authenticated.get(params);
      if (auth === undefined) throw new GatewayError("UNAUTHENTICATED", "unsigned request");
      return { auth };
    },
  });
}
