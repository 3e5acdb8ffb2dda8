import type { AccessCounts } from "../audit/stats.js";
import { type AuditReport, discrepancyLine } from "./report.js";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function table(head: string[], rows: unknown[][]): string {
  if (rows.length === 0) return "<p class=none>none</p>";
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function timeline(byDay: Record<string, Record<string, AccessCounts>>): string {
  const rows: unknown[][] = [];
  for (const day of Object.keys(byDay).sort())
    for (const [who, c] of Object.entries(byDay[day] ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
      rows.push([day, who, c.asked, c.answered]);
  return table(["day (UTC)", "who", "asked", "answered"], rows);
}

/** The report as one self-contained HTML page (inline style, no scripts, nothing fetched). */
export function renderHtml(r: AuditReport): string {
  const s = r.stats;
  const verdict = r.ok ? "All checks passed" : `${r.discrepancyCount} discrepancies`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coken audit — ${esc(r.chain)} at height ${r.height}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}th{background:#f3f3f3}.ok{color:#176b2c}.bad{color:#a31515}
code{font-size:12px}.none{color:#777}</style></head><body>
<h1>Coken audit: <span class="${r.ok ? "ok" : "bad"}">${esc(verdict)}</span></h1>
<p>Chain <b>${esc(r.chain)}</b>, genesis <code>${esc(r.genesisHash)}</code>; replayed to height <b>${r.height}</b>,
certified to ${r.verifiedHeight}; app hash <code>${esc(r.appHash)}</code>. Source: ${esc(r.source.kind)} ${esc(r.source.name)}
${r.source.digest ? `(digest <code>${esc(r.source.digest)}</code>)` : ""}. Audited ${esc(r.auditedAt)}.</p>
<h2>Discrepancies</h2>${table(
    ["where and why"],
    r.discrepancies.map((d) => [discrepancyLine(d)]),
  )}
<h2>Totals</h2>${table(
    [
      "blocks",
      "txs",
      "receipts acknowledged",
      "attested",
      "disputed",
      "proofs verified",
      "failed",
      "missing",
    ],
    [
      [
        s.blocks,
        s.txs,
        s.receipts.acknowledged,
        s.receipts.attested,
        s.receipts.disputed,
        s.proofs.verified,
        s.proofs.failed,
        s.proofs.missing,
      ],
    ],
  )}
<h2>Refused transactions</h2>${table(["code", "count"], Object.entries(s.refused))}
<h2>Access by agency</h2>${timeline(s.byAgency)}
<h2>Access by region</h2>${timeline(s.byRegion)}
<h2>Grants used</h2>${table(
    ["grant", "dataset", "grantor", "grantee", "receipts", "used", "quota"],
    Object.values(s.grants).map((g) => [
      g.grant,
      g.dataset,
      g.grantor,
      g.grantee,
      g.receipts,
      g.used,
      g.quota,
    ]),
  )}
<h2>Freezes</h2>${table(
    ["height", "time", "action", "kind", "id", "by", "reason"],
    s.freezes.map((f) => [f.height, new Date(f.time).toISOString(), f.action, f.kind, f.id, f.by, f.reason]),
  )}
<h2>Anomalies</h2>${table(["kind", "count"], Object.entries(s.anomalyCounts))}
${table(
  ["kind", "height", "tx", "receipt", "agency", "detail"],
  s.anomalies.map((a) => [
    a.kind,
    a.height,
    a.tx ?? "",
    a.receipt ?? "",
    a.agency ?? a.grant ?? "",
    a.detail,
  ]),
)}
<h2>Settlements</h2>${table(
    ["epoch", "height"],
    s.settlements.map((x) => [x.epoch, x.height]),
  )}
</body></html>
`;
}
