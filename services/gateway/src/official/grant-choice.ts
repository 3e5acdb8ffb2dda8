import { type Dataset, type Grant, keys, type QueryKind } from "@coken/ledger";
import { GatewayError } from "../errors.js";
import type { LedgerReader } from "./models.js";
import { grantActive, grants, isFrozen } from "./state.js";

/**
 * The grant this agency uses to ask `kind` of `dataset`: the one named, checked, or else the first active one
 * it holds. The provider checks again on its side; checking here spares a signed call that would be refused.
 */
export function chooseGrant(
  ledger: LedgerReader,
  self: string,
  dataset: Dataset,
  kind: QueryKind,
  named: string | null | undefined,
  nowMs: number,
): Grant {
  if (!dataset.queryKinds.includes(kind)) {
    throw new GatewayError("FORBIDDEN", "the dataset does not allow this query kind", { kind });
  }
  if (isFrozen(ledger, "dataset", dataset.id) || isFrozen(ledger, "agency", dataset.owner)) {
    throw new GatewayError("FROZEN", "the dataset or its owner is frozen");
  }
  if (isFrozen(ledger, "agency", self)) throw new GatewayError("FROZEN", "this agency is frozen");
  if (named != null) {
    const grant = ledger.get(keys.grant(named));
    if (grant === undefined || grant.grantee !== self || grant.dataset !== dataset.id) {
      throw new GatewayError("GRANT_REQUIRED", "no such grant for this agency and dataset");
    }
    if (!grant.queryKinds.includes(kind))
      throw new GatewayError("FORBIDDEN", "the grant does not cover this kind");
    if (grant.revoked !== null || grant.expiresAt <= nowMs) {
      throw new GatewayError("GRANT_EXPIRED", "the grant is revoked or expired");
    }
    if (grant.used >= grant.quota) throw new GatewayError("QUOTA_EXCEEDED", "the grant's quota is used up");
    if (isFrozen(ledger, "grant", grant.id)) throw new GatewayError("FROZEN", "the grant is frozen");
    return grant;
  }
  const held = grants(ledger).filter(
    (g) => g.grantee === self && g.dataset === dataset.id && g.queryKinds.includes(kind),
  );
  const usable = held.find((g) => grantActive(ledger, g, nowMs));
  if (usable !== undefined) return usable;
  if (held.some((g) => g.revoked === null && g.expiresAt > nowMs && g.used >= g.quota)) {
    throw new GatewayError("QUOTA_EXCEEDED", "the grant's quota is used up");
  }
  if (held.length > 0) throw new GatewayError("GRANT_EXPIRED", "every grant for this is revoked or expired");
  throw new GatewayError("GRANT_REQUIRED", "this agency holds no grant for this dataset and kind");
}
