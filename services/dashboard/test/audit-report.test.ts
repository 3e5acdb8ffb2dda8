import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditReport } from "@coken/auditor";
import { anomaliesOf, discrepanciesOf, parseAuditReport, ReportError } from "../src/app/audit-report.js";

/** A report as `coken audit --report` writes it: two discrepancies, three anomalies. */
function sampleReport(): AuditReport {
  return {
    format: "coken-audit-report/1",
    ok: false,
    chain: "coken-devnet",
    genesisHash: "ab".repeat(32),
    height: 120,
    verifiedHeight: 120,
    appHash: "cd".repeat(32),
    source: { kind: "archive", name: "chain.archive", digest: "ef".repeat(32) },
    auditedAt: "2026-03-01T10:00:00.000Z",
    discrepancies: [
      { code: "PROOF_INVALID", height: 40, tx: 1, receipt: "11".repeat(32), reason: "pairing check failed" },
      { code: "APP_HASH_MISMATCH", height: 41, reason: "claimed state root differs" },
    ],
    discrepancyCount: 2,
    stats: {
      blocks: 120,
      txs: 300,
      refused: { QUOTA_EXCEEDED: 2 },
      receipts: { acknowledged: 50, attested: 3, disputed: 1 },
      proofs: { verified: 40, failed: 1, missing: 2, notRequired: 10 },
      byAgency: { "2026-03-01": { "gd.bank": { asked: 3, answered: 0 } } },
      byRegion: { "2026-03-01": { GD: { asked: 3, answered: 0 } } },
      grants: {
        g1: {
          grant: "g1",
          dataset: "hn.tax/income",
          grantor: "hn.tax-bureau",
          grantee: "gd.bank",
          quota: 5,
          receipts: 3,
          used: 5,
        },
      },
      anomalies: [
        { kind: "quotaRefused", height: 30, tx: 0, grant: "g1", detail: "quota 5 used" },
        { kind: "proofMissing", height: 35, tx: 2, receipt: "22".repeat(32), detail: "no stored proof" },
        { kind: "dispute", height: 36, agency: "gd.bank", detail: "disputed by the requester" },
      ],
      anomalyCounts: { quotaRefused: 1, proofMissing: 1, dispute: 1 },
      freezes: [
        {
          height: 50,
          time: 1_772_359_200_000,
          action: "freeze",
          kind: "agency",
          id: "gd.bank",
          reason: "review",
          by: "cn.regulator",
        },
      ],
      settlements: [{ epoch: 0, height: 20 }],
    },
  };
}

describe("audit report", () => {
  it("reads a report, optional fields left out as written", () => {
    const r = sampleReport();
    assert.deepEqual(parseAuditReport(JSON.stringify(r, null, 2)), r);
    const noDigest = { ...r, source: { kind: "api", name: "http://peer" } };
    assert.deepEqual(parseAuditReport(JSON.stringify(noDigest)).source, { kind: "api", name: "http://peer" });
  });

  it("refuses what is not a report, and names the first wrong field", () => {
    const refused = (text: string, code: string, message?: RegExp) =>
      assert.throws(
        () => parseAuditReport(text),
        (e) =>
          e instanceof ReportError && e.code === code && (message === undefined || message.test(e.message)),
      );
    refused("{not json", "NOT_JSON");
    refused(JSON.stringify({ format: "coken-archive/1" }), "NOT_A_REPORT");
    refused("[1,2]", "NOT_A_REPORT");
    const r = sampleReport() as unknown as {
      stats: { proofs: Record<string, unknown>; anomalies: unknown[] };
    };
    r.stats.proofs.verified = "40";
    refused(JSON.stringify(r), "BAD_FIELD", /^\$\.stats\.proofs\.verified: expected an integer$/);
    const s = sampleReport() as unknown as { stats: { anomalies: Record<string, unknown>[] } };
    delete s.stats.anomalies[1]?.detail;
    refused(JSON.stringify(s), "BAD_FIELD", /^\$\.stats\.anomalies\[1\]\.detail: expected a string$/);
  });

  it("filters discrepancies by code and anomalies by kind and by agency, grant or receipt", () => {
    const r = sampleReport();
    assert.equal(discrepanciesOf(r, "").length, 2);
    assert.deepEqual(
      discrepanciesOf(r, "APP_HASH_MISMATCH").map((d) => d.height),
      [41],
    );
    assert.equal(anomaliesOf(r, "", "").length, 3);
    assert.deepEqual(
      anomaliesOf(r, "proofMissing", "").map((a) => a.height),
      [35],
    );
    assert.deepEqual(
      anomaliesOf(r, "", " GD.BANK ").map((a) => a.kind),
      ["dispute"],
    );
    assert.deepEqual(
      anomaliesOf(r, "", "g1").map((a) => a.kind),
      ["quotaRefused"],
    );
    assert.deepEqual(anomaliesOf(r, "quotaRefused", "gd.bank"), []);
  });
});
