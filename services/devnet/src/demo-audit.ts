import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { endpointsOf } from "./bootstrap.js";
import type { DemoStep } from "./demo.js";
import type { DevnetManifest } from "./layout.js";
import { formatTable } from "./table.js";

// The demo's audit step: `coken audit --api` replays one peer's chain from the devnet genesis (blocks, certificates,
// signatures, receipts) and checks the proofs that peer's gateway kept for the proved answers it gave.

/** What the step reads of the JSON report (docs/spec/archive.md, `coken-audit-report/1`). */
interface ReportSummary {
  ok: boolean;
  height: number;
  discrepancyCount: number;
  stats: {
    receipts: { acknowledged: number; attested: number; disputed: number };
    proofs: { verified: number; failed: number; missing: number; notRequired: number };
    anomalyCounts: Record<string, number>;
  };
}

/**
 * Runs `coken audit --api <agency's peer> --genesis <devnet genesis>` and shows the report's summary. Passes when
 * the audit exits 0 and at least one proof the peer kept verified (the demo's proved answers); proofs another
 * provider kept are not served by this peer and count as missing, which is an anomaly, not a failure.
 */
export async function auditStep(
  dir: string,
  m: DevnetManifest,
  cli: string,
  agency: string,
): Promise<DemoStep> {
  const title = `coken audit --api on ${agency}'s peer`;
  const reportFile = join(dir, "demo-audit.json");
  let code = 0;
  let output = "";
  try {
    const r = await promisify(execFile)(process.execPath, [
      cli,
      "audit",
      "--api",
      endpointsOf(m, agency).api,
      "--genesis",
      join(dir, "genesis.json"),
      "--keep",
      join(dir, "demo-audit.archive"),
      "--report",
      reportFile,
    ]);
    output = r.stdout;
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof x.code === "number" ? x.code : 1;
    output = `${x.stdout ?? ""}${x.stderr ?? ""}`;
  }
  let report: ReportSummary;
  try {
    report = JSON.parse(await readFile(reportFile, "utf8")) as ReportSummary;
  } catch {
    return { title, ok: false, detail: `no report (exit ${code}): ${output.trim().split("\n")[0] ?? ""}` };
  }
  const { receipts, proofs, anomalyCounts } = report.stats;
  const anomalies = Object.entries(anomalyCounts).map(([k, n]) => `${k} ${n}`);
  const rows = [
    ["exit code", String(code)],
    ["height replayed", String(report.height)],
    ["receipts checked", String(receipts.acknowledged + receipts.attested)],
    ["receipts disputed", String(receipts.disputed)],
    ["proofs checked", `${proofs.verified} verified, ${proofs.failed} failed`],
    ["proofs not kept here", String(proofs.missing)],
    ["lookups (no proof)", String(proofs.notRequired)],
    ["anomalies", anomalies.length === 0 ? "none" : anomalies.join(", ")],
    ["discrepancies", String(report.discrepancyCount)],
  ];
  return {
    title,
    ok: code === 0 && report.ok && proofs.verified > 0 && proofs.failed === 0,
    detail: `expected exit 0 and the peer's kept proofs verified\n${formatTable(["what", "value"], rows)}`,
    data: { code, report: { ok: report.ok, height: report.height, receipts, proofs, anomalyCounts } },
  };
}
