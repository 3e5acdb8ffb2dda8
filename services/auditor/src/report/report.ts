import { createHasher, type Genesis, genesisHash, toHex } from "@coken/ledger";
import type { Auditor, Discrepancy } from "../audit/auditor.js";
import type { AuditStats } from "../audit/stats.js";

/** The audit's outcome as the JSON report holds it. */
export interface AuditReport {
  format: "coken-audit-report/1";
  ok: boolean;
  chain: string;
  genesisHash: string;
  /** Last block replayed, and the last one a certificate authenticates. */
  height: number;
  verifiedHeight: number;
  appHash: string;
  /** What was audited (archive path and digest, or peer address). */
  source: { kind: "archive" | "api"; name: string; digest?: string | null };
  /** When the audit ran (ISO time), given by the caller. */
  auditedAt: string;
  /** The first discrepancies, in the order found (all of them counted in discrepancyCount). */
  discrepancies: Discrepancy[];
  discrepancyCount: number;
  stats: AuditStats;
}

export const REPORTED_DISCREPANCIES = 50;

export function buildReport(
  auditor: Auditor,
  genesis: Genesis,
  source: AuditReport["source"],
  auditedAt: string,
): AuditReport {
  const head = auditor.ledger.head;
  return {
    format: "coken-audit-report/1",
    ok: auditor.ok,
    chain: genesis.chainId,
    genesisHash: toHex(genesisHash(createHasher(genesis.hashAlgorithm), genesis)),
    height: head.height,
    verifiedHeight: auditor.verifiedHeight,
    appHash: toHex(head.appHash),
    source,
    auditedAt,
    discrepancies: auditor.discrepancies.slice(0, REPORTED_DISCREPANCIES),
    discrepancyCount: auditor.discrepancies.length,
    stats: auditor.stats,
  };
}

/** Where a discrepancy is, as one line: `height 12 tx 3 receipt ab12…: CODE reason`. */
export function discrepancyLine(d: Discrepancy): string {
  const at = [`height ${d.height}`];
  if (d.tx !== undefined && d.tx >= 0) at.push(`tx ${d.tx}`);
  if (d.receipt !== undefined) at.push(`receipt ${d.receipt}`);
  return `${at.join(" ")}: ${d.code} ${d.reason}`;
}

/** The few lines the CLI prints (and the demo shows). */
export function reportSummary(r: AuditReport): string {
  const s = r.stats;
  const anomalies = Object.entries(s.anomalyCounts)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const lines = [
    `audit ${r.ok ? "ok" : "FAILED"}: chain ${r.chain} height ${r.height} (verified ${r.verifiedHeight})`,
    `appHash ${r.appHash}`,
    `blocks ${s.blocks} txs ${s.txs} refused ${Object.values(s.refused).reduce((a, b) => a + b, 0)}`,
    `receipts acknowledged ${s.receipts.acknowledged} attested ${s.receipts.attested} disputed ${s.receipts.disputed}`,
    `proofs verified ${s.proofs.verified} failed ${s.proofs.failed} missing ${s.proofs.missing} (lookups ${s.proofs.notRequired})`,
    `freezes ${s.freezes.length} settlements ${s.settlements.length} grants used ${Object.keys(s.grants).length}`,
    `anomalies ${anomalies === "" ? "none" : anomalies}`,
  ];
  if (r.source.digest) lines.push(`archive digest ${r.source.digest}`);
  for (const d of r.discrepancies.slice(0, 10)) lines.push(`discrepancy ${discrepancyLine(d)}`);
  if (r.discrepancyCount > 10) lines.push(`… ${r.discrepancyCount - 10} more discrepancies in the report`);
  return `${lines.join("\n")}\n`;
}
