import { type AgencyId, type Dataset, type Grant, keys } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import type { DatasetQuery } from "../federation/types.js";
import type { LedgerReader } from "./ledger-reader.js";
import { queryFields } from "./query-input.js";

export interface AccessRequest {
  requester: AgencyId;
  grant: string;
  dataset: string;
  /** Request time (ms) from the signed envelope. */
  time: number;
}

export interface AccessGranted {
  grant: Grant;
  dataset: Dataset;
}

// Refusals name the rule and nothing else: no field, no row, no count.
const refuse = (code: GatewayError["code"], message: string) => new GatewayError(code, message);

/**
 * Decides, on committed ledger state, whether `provider` may answer `query` for an authenticated request, in the
 * order: freezes (requester, provider, dataset, grant) → FROZEN; the grant exists, is active and is this
 * requester's on this provider's dataset → GRANT_REQUIRED; it allows the query kind and every field read, and no
 * personal field is read raw → FORBIDDEN; it has not expired → GRANT_EXPIRED; the requester's committed balance
 * pays the dataset's price → INSUFFICIENT_BALANCE. Quota and rate come after it.
 */
export function checkAccess(
  ledger: LedgerReader,
  provider: AgencyId,
  request: AccessRequest,
  query: DatasetQuery,
  nowMs: number,
): AccessGranted {
  if (
    ledger.get(keys.freeze("agency", request.requester)) !== undefined ||
    ledger.get(keys.freeze("agency", provider)) !== undefined ||
    ledger.get(keys.freeze("dataset", request.dataset)) !== undefined ||
    ledger.get(keys.freeze("grant", request.grant)) !== undefined
  )
    throw refuse("FROZEN", "an agency, the dataset or the grant is frozen");

  const grant = ledger.get(keys.grant(request.grant));
  const dataset = ledger.get(keys.dataset(request.dataset));
  if (
    grant === undefined ||
    dataset === undefined ||
    grant.revoked !== null ||
    grant.grantee !== request.requester ||
    grant.grantor !== provider ||
    grant.dataset !== request.dataset ||
    dataset.owner !== provider
  )
    throw refuse("GRANT_REQUIRED", "no active grant for this requester and dataset");

  if (!grant.queryKinds.includes(query.kind) || !dataset.queryKinds.includes(query.kind))
    throw refuse("FORBIDDEN", "the grant does not allow this query kind");
  for (const name of queryFields(query)) {
    const spec = dataset.fields.find((f) => f.name === name);
    if (spec === undefined || !grant.fields.includes(name))
      throw refuse("FORBIDDEN", "the grant does not allow a field the query reads");
    if (query.kind === "lookup" && spec.personal)
      throw refuse("FORBIDDEN", "personal fields are answered only through proved query kinds");
  }

  if (request.time >= grant.expiresAt || nowMs >= grant.expiresAt)
    throw refuse("GRANT_EXPIRED", "the grant has expired");
  // The ledger records an answer whatever the requester's balance (unpaid if it cannot pay): answering only a
  // requester that can pay keeps unpaid receipts to those whose credits left between answer and record.
  const account = ledger.get(keys.account(request.requester));
  if (dataset.price > 0n && (account === undefined || account.balance < dataset.price))
    throw refuse("INSUFFICIENT_BALANCE", "the requester's balance cannot pay the dataset's price");
  return { grant, dataset };
}
