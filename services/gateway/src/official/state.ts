import {
  type Agency,
  type Dataset,
  type Freeze,
  type FreezeKind,
  type Grant,
  keys,
  type StateRecord,
} from "@coken/ledger";
import type { AccountModel, LedgerReader } from "./models.js";

/** Records under one key prefix ("dataset/"), in key order. */
function* withPrefix<T extends StateRecord>(ledger: LedgerReader, prefix: string): Generator<[string, T]> {
  for (const [key, record] of ledger.entries()) {
    if (key.startsWith(prefix)) yield [key.slice(prefix.length), record as T];
  }
}

/** Registered agencies, by id. */
export function agencies(ledger: LedgerReader): Agency[] {
  return [...withPrefix<Agency>(ledger, "agency/")].map(([, a]) => a);
}

/** Published datasets, by id. */
export function datasets(ledger: LedgerReader): Dataset[] {
  return [...withPrefix<Dataset>(ledger, "dataset/")].map(([, d]) => d);
}

/** Grants, by id. */
export function grants(ledger: LedgerReader): Grant[] {
  return [...withPrefix<Grant>(ledger, "grant/")].map(([, g]) => g);
}

/** Credit accounts, by agency id. */
export function accounts(ledger: LedgerReader): AccountModel[] {
  return [...withPrefix<{ seq: number; balance: bigint }>(ledger, "account/")].map(([agency, a]) => ({
    agency,
    balance: a.balance,
    seq: a.seq,
  }));
}

/** Regions that have at least one agency, sorted. */
export function regions(ledger: LedgerReader): string[] {
  return [...new Set(agencies(ledger).map((a) => a.region))].sort();
}

/** Freezes in force, by kind and target id. */
export function freezes(ledger: LedgerReader): Freeze[] {
  return [...withPrefix<Freeze>(ledger, "freeze/")].map(([, f]) => f);
}

/** Whether the regulator froze the target. */
export function isFrozen(ledger: LedgerReader, kind: FreezeKind, id: string): boolean {
  return ledger.get(keys.freeze(kind, id)) !== undefined;
}

/** A grant can be used now: not revoked, not expired, quota left, neither grant nor dataset frozen. */
export function grantActive(ledger: LedgerReader, grant: Grant, nowMs: number): boolean {
  return (
    grant.revoked === null &&
    grant.expiresAt > nowMs &&
    grant.used < grant.quota &&
    !isFrozen(ledger, "grant", grant.id) &&
    !isFrozen(ledger, "dataset", grant.dataset)
  );
}
