import type { AccessReceipt, AgencyId, Hasher } from "@coken/ledger";
import type { LocalDataRepository } from "@coken/store";
import { type QueryProver, ZkError, type ZkErrorCode } from "@coken/zk";
import { GatewayError, type GatewayErrorCode } from "../errors.js";
import type { AnswerResult, DatasetQuery, LookupQuery } from "../federation/types.js";
import type { ReceiptIssuer } from "../receipts/issuer.js";
import { proofText, proofTextHash, resultHash } from "../signing/hashes.js";
import { checkAccess } from "./access.js";
import type { AuthenticatedRequest } from "./authenticate.js";
import type { LedgerReader } from "./ledger-reader.js";
import { type ProofJson, proofToJson } from "./proof-json.js";
import { parseDatasetQuery } from "./query-input.js";
import type { RateLimiter } from "./rate-limit.js";

export interface AnswerComponents {
  self: AgencyId;
  hasher: Hasher;
  ledger: LedgerReader;
  rows: Pick<LocalDataRepository, "getRow">;
  /** Absent: this provider answers lookups only and refuses proved kinds with UNSUPPORTED_QUERY. */
  prover?: QueryProver | undefined;
  issuer: ReceiptIssuer;
  rateLimiter: RateLimiter;
  now(): number;
}

/** What the provider returns for one dataset call, with the receipt it issued for it. */
export interface ProviderAnswer {
  result: AnswerResult;
  proof: ProofJson | null;
  receipt: AccessReceipt;
  receiptId: Uint8Array;
}

async function lookup(
  rows: AnswerComponents["rows"],
  dataset: string,
  q: LookupQuery,
): Promise<AnswerResult> {
  const row = await rows.getRow(dataset, q.key);
  if (row === null) return { kind: "lookup", found: false, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const name of q.fields) fields[name] = row.fields[name] ?? null;
  return { kind: "lookup", found: true, fields };
}

/** What the asker is told when proving fails: the rule, never the data (unlisted codes stay masked). */
const PROVE_REFUSALS: Partial<Record<ZkErrorCode, [GatewayErrorCode, string]>> = {
  BAD_QUERY: ["BAD_USER_INPUT", "the query does not fit the dataset's committed fields"],
  FIELD_ENCODING: ["BAD_USER_INPUT", "a constant does not fit the field's type"],
  PUBLIC_INPUT_RANGE: ["BAD_USER_INPUT", "a constant is out of range"],
  UNSUPPORTED_QUERY: ["UNSUPPORTED_QUERY", "no circuit proves this query"],
  GROUP_TOO_SMALL: ["FORBIDDEN", "the answer would describe a group below the minimum size"],
  NOT_COMMITTED: ["BAD_USER_INPUT", "no committed record has this key"],
  ARTIFACT_MISSING: ["UNSUPPORTED_QUERY", "the provider holds no keys for this query kind"],
  QUEUE_FULL: ["RATE_LIMITED", "the provider's prover is busy"],
  TIMEOUT: ["UPSTREAM_TIMEOUT", "the proof took too long"],
};

async function prove(prover: QueryProver, ...args: Parameters<QueryProver["prove"]>) {
  try {
    return await prover.prove(...args);
  } catch (e) {
    // The prover holds no trees for the dataset (its commitment is being rebuilt, or does not match the rows).
    if (e instanceof ZkError && e.code === "NOT_COMMITTED" && e.details?.dataset !== undefined)
      throw new GatewayError(
        "UPSTREAM_UNAVAILABLE",
        "proofs over this dataset are not ready at the provider",
      );
    const refusal = e instanceof ZkError ? PROVE_REFUSALS[e.code] : undefined;
    if (refusal === undefined) throw e;
    throw new GatewayError(refusal[0], refusal[1]);
  }
}

async function execute(
  c: AnswerComponents,
  auth: AuthenticatedRequest,
  dataset: string,
  query: DatasetQuery,
): Promise<{ result: AnswerResult; proof: ProofJson | null }> {
  if (query.kind === "lookup") return { result: await lookup(c.rows, dataset, query), proof: null };
  if (c.prover === undefined)
    throw new GatewayError("UNSUPPORTED_QUERY", "this agency answers lookups only: no prover is configured");
  const { requester, nonce, expiresAt } = auth.envelope;
  const answer = await prove(c.prover, dataset, query, { requester, nonce, expiresAt });
  return { result: answer.result, proof: proofToJson(answer.proof) };
}

/**
 * Answers one authenticated dataset call: access rules on the ledger (see `checkAccess`), then quota (ledger
 * `used` plus this provider's uncommitted receipts) → QUOTA_EXCEEDED, then the requester's rate → RATE_LIMITED;
 * then reads its own rows (lookup) or proves the answer, and persists the access receipt before returning.
 */
export async function answerCall(
  c: AnswerComponents,
  auth: AuthenticatedRequest,
  args: { dataset: string; grant: string; query: unknown },
): Promise<ProviderAnswer> {
  const env = auth.envelope;
  if (env.grant !== args.grant || env.dataset !== args.dataset)
    throw new GatewayError("UNAUTHENTICATED", "the signed request names another grant or dataset");
  const query = parseDatasetQuery(args.query);
  const { grant } = checkAccess(
    c.ledger,
    c.self,
    { ...env, grant: args.grant, dataset: args.dataset },
    query,
    c.now(),
  );
  c.issuer.reserve(grant);
  try {
    if (!c.rateLimiter.take(env.requester, c.now()))
      throw new GatewayError("RATE_LIMITED", "too many calls from this agency");
    const { result, proof } = await execute(c, auth, args.dataset, query);
    // The exact text the receipt's proofHash covers, kept with the receipt for auditors.
    const bundle = proofText(proof);
    const receipt: AccessReceipt = {
      grant: grant.id,
      dataset: args.dataset,
      provider: c.self,
      requester: env.requester,
      queryKind: query.kind,
      requestHash: auth.hash,
      resultHash: resultHash(c.hasher, result),
      proofHash: proofTextHash(c.hasher, bundle),
      nonce: env.nonce,
      time: env.time,
    };
    const request = {
      queryHash: env.queryHash,
      variablesHash: env.variablesHash,
      expiresAt: env.expiresAt,
      signature: auth.signed.signature,
      batch: auth.signed.batch,
    };
    const receiptId = await c.issuer.issue(
      receipt,
      request,
      auth.nonceExpiresMs,
      proof === null ? undefined : bundle,
    );
    return { result, proof, receipt, receiptId };
  } catch (e) {
    c.issuer.release(grant.id);
    throw e;
  }
}
