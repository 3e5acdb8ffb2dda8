import type { AgencyId, DatasetId, GrantId } from "@coken/ledger";
import type { ZkQuery, ZkResult } from "@coken/zk";

/**
 * The seam between an agency's own GraphQL endpoint (its officials) and the inter-agency layer: the official
 * endpoint resolves a dataset field by asking a `FederationClient`, which signs the request, calls the provider
 * peer's `/peer/graphql`, and checks the signed, proved answer before handing it back.
 */

/** A record lookup: the owner decides which (non-personal) fields a grant may read. */
export interface LookupQuery {
  kind: "lookup";
  key: string;
  fields: string[];
}

export type DatasetQuery = ZkQuery | LookupQuery;

export interface DatasetCall {
  provider: AgencyId;
  dataset: DatasetId;
  grant: GrantId;
  query: DatasetQuery;
}

export type AnswerResult = ZkResult | { kind: "lookup"; found: boolean; fields: Record<string, unknown> };

/** How the asker checked the answer; `proof` is null only for lookups, which reveal fields by design. */
export interface Verification {
  proof: { system: "groth16"; verified: boolean; commitment: string; circuit: string } | null;
  /** Hex id of the co-signed access receipt the provider records on the ledger. */
  receipt: { id: string };
  /** Provider's response signature, hex, checked by the asker. */
  providerSignature: string;
  /**
   * Hex of the response hashes the provider signed together with this answer's (one HTTP response); null when
   * the signature covers this answer's response envelope alone.
   */
  providerBatch: string | null;
}

export interface VerifiedAnswer {
  provider: AgencyId;
  dataset: DatasetId;
  result: AnswerResult;
  verification: Verification;
}

export interface CallContext {
  signal?: AbortSignal;
  /** W3C trace context of the official's request, propagated to the provider. */
  traceparent?: string;
}

/** Asker side. Rejects with a `GatewayError` carrying a stable code (see errors.ts). */
export interface FederationClient {
  call(call: DatasetCall, context?: CallContext): Promise<VerifiedAnswer>;
}
