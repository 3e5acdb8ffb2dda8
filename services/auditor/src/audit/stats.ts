/** Counts of one agency or region over one period. */
export interface AccessCounts {
  /** Receipts where it asked. */
  asked: number;
  /** Receipts where it answered. */
  answered: number;
}

export type AnomalyKind =
  | "quotaRefused"
  | "quotaBurst"
  | "outsideGrantWindow"
  | "dispute"
  | "proofFailed"
  | "proofMissing"
  | "refusedSignature"
  | "frozenAttempt"
  | "doubleSign";

export interface Anomaly {
  kind: AnomalyKind;
  height: number;
  tx?: number;
  receipt?: string;
  grant?: string;
  agency?: string;
  detail: string;
}

export interface FreezeEvent {
  height: number;
  time: number;
  action: "freeze" | "unfreeze";
  kind: string;
  id: string;
  reason: string;
  /** The regulator whose tx did it, or `rule:<name>` for an automatic freeze. */
  by: string;
}

export interface GrantUse {
  grant: string;
  dataset: string;
  grantor: string;
  grantee: string;
  quota: number;
  /** Receipts recorded under it during the audited span. */
  receipts: number;
  /** Its `used` at the audited head. */
  used: number;
}

/** Everything the report counts, JSON-serialisable (a checkpoint stores it as is). */
export interface AuditStats {
  blocks: number;
  txs: number;
  refused: Record<string, number>;
  receipts: { acknowledged: number; attested: number; disputed: number };
  proofs: { verified: number; failed: number; missing: number; notRequired: number };
  /** Day (YYYY-MM-DD, UTC, of the receipt's request time) → agency → counts. */
  byAgency: Record<string, Record<string, AccessCounts>>;
  byRegion: Record<string, Record<string, AccessCounts>>;
  grants: Record<string, GrantUse>;
  anomalies: Anomaly[];
  /** Anomalies beyond the kept list are only counted. */
  anomalyCounts: Partial<Record<AnomalyKind, number>>;
  freezes: FreezeEvent[];
  settlements: { epoch: number; height: number }[];
}

export const MAX_ANOMALIES = 1000;

export function emptyStats(): AuditStats {
  return {
    blocks: 0,
    txs: 0,
    refused: {},
    receipts: { acknowledged: 0, attested: 0, disputed: 0 },
    proofs: { verified: 0, failed: 0, missing: 0, notRequired: 0 },
    byAgency: {},
    byRegion: {},
    grants: {},
    anomalies: [],
    anomalyCounts: {},
    freezes: [],
    settlements: [],
  };
}

export function addAnomaly(s: AuditStats, a: Anomaly): void {
  s.anomalyCounts[a.kind] = (s.anomalyCounts[a.kind] ?? 0) + 1;
  if (s.anomalies.length < MAX_ANOMALIES) s.anomalies.push(a);
}

function bump(
  table: Record<string, Record<string, AccessCounts>>,
  day: string,
  who: string,
  side: keyof AccessCounts,
  n: number,
) {
  const row = table[day] ?? {};
  table[day] = row;
  const counts = row[who] ?? { asked: 0, answered: 0 };
  row[who] = counts;
  counts[side] += n;
}

/** Counts `n` (default 1) recorded receipts of one day under that day, both agencies and both regions. */
export function countAccess(
  s: AuditStats,
  time: number,
  requester: { id: string; region: string },
  provider: { id: string; region: string },
  n = 1,
): void {
  const day = new Date(time).toISOString().slice(0, 10);
  bump(s.byAgency, day, requester.id, "asked", n);
  bump(s.byAgency, day, provider.id, "answered", n);
  bump(s.byRegion, day, requester.region, "asked", n);
  bump(s.byRegion, day, provider.region, "answered", n);
}
