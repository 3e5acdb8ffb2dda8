import { type AgencyId, bytesEqual, type Hasher, keys, type Verifier } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import type { RequestEnvelope } from "../signing/envelope.js";
import { documentHash, variablesHash } from "../signing/hashes.js";
import {
  type CheckedBatches,
  readSignedRequest,
  requestHashSigned,
  type WireSignature,
} from "../signing/wire.js";
import type { LedgerReader } from "./ledger-reader.js";
import type { NonceCache } from "./nonces.js";

/** What arrives with a GraphQL request over HTTP (yoga's params). */
export interface RequestParams {
  query?: string | undefined;
  variables?: Record<string, unknown> | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

export interface ReplayWindow {
  /** Largest tolerated difference between the requester's clock and ours. */
  maxSkewMs: number;
  /** Largest `expiresAt − time` a request may declare: nonces are kept this long. */
  maxLifetimeMs: number;
}

export interface AuthenticateComponents {
  self: AgencyId;
  hasher: Hasher;
  verifier: Verifier;
  ledger: LedgerReader;
  /** Decides replays; `authenticate` awaits it (the first request waits for the store's nonces to load). */
  nonces: Promise<NonceCache>;
  now(): number;
}

export interface AuthenticatedRequest {
  envelope: RequestEnvelope;
  /** Until when the nonce must be kept: persist it with `{requester, nonce, expiresMs}`. */
  nonceExpiresMs: number;
  /** H("gateway.request", envelope): the receipt's `requestHash`, echoed in the signed response. */
  hash: Uint8Array;
  /** The requester's signature as it arrived: kept with the receipt, it lets the provider record the call alone. */
  signed: WireSignature;
}

const unauthenticated = (message: string) => new GatewayError("UNAUTHENTICATED", message);

/**
 * Checks a signed inter-agency request, in order: a well-formed envelope addressed to us → signed by the
 * requester's key on the ledger → bound to this exact document and variables → inside the replay window
 * (UNAUTHENTICATED for any of these) → a nonce never seen (REPLAYED). The caller persists the nonce (see
 * `NonceCache`), so a restart does not reopen the window. Operations signed together as one batch share
 * `checked` (one per HTTP request), so their batch signature is verified once.
 */
export async function authenticate(
  params: RequestParams,
  c: AuthenticateComponents,
  window: ReplayWindow,
  checked?: CheckedBatches,
): Promise<AuthenticatedRequest> {
  const { request, hash, ...signed } = readSignedRequest(c.hasher, params.extensions?.coken);
  if (request.provider !== c.self) throw unauthenticated("request addressed to another agency");
  const agency = c.ledger.get(keys.agency(request.requester));
  if (agency === undefined || !requestHashSigned(c.hasher, c.verifier, agency, hash, signed, checked))
    throw unauthenticated("bad request signature");
  if (
    typeof params.query !== "string" ||
    !bytesEqual(request.queryHash, documentHash(c.hasher, params.query)) ||
    !bytesEqual(request.variablesHash, variablesHash(c.hasher, params.variables))
  )
    throw unauthenticated("the signature does not cover this document and variables");
  const now = c.now();
  if (
    request.time > now + window.maxSkewMs ||
    request.expiresAt <= request.time ||
    request.expiresAt - request.time > window.maxLifetimeMs ||
    request.expiresAt + window.maxSkewMs <= now
  )
    throw unauthenticated("request outside the replay window");
  const nonceExpiresMs = request.expiresAt + window.maxSkewMs;
  if (!(await c.nonces).claim(request.requester, request.nonce, nonceExpiresMs, now))
    throw new GatewayError("REPLAYED", "request nonce already used");
  return { envelope: request, nonceExpiresMs, hash, signed };
}
