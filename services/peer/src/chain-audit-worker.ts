import { createReadStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { type AuditReport, auditArchive, buildReport } from "@coken/auditor";
import { createVerifier, parseGenesis } from "@coken/ledger";

/** What `createChainAudit` hands its worker thread. */
export interface AuditJob {
  /** The archive exported from the peer's store. */
  archive: string;
  /** The genesis file the peer runs, trusted by the audit. */
  genesisText: string;
  source: Omit<AuditReport["source"], "digest">;
  auditedAt: string;
}

// Runs only as a worker: audits the archive and posts the report's JSON text, laid out as `coken audit --report`.
if (parentPort !== null) {
  const job = workerData as AuditJob;
  const genesis = parseGenesis(JSON.parse(job.genesisText));
  const result = await auditArchive((offset) => createReadStream(job.archive, { start: offset }), {
    verifier: createVerifier(),
    genesis,
  });
  const report = buildReport(
    result.auditor,
    genesis,
    { ...job.source, digest: result.digest },
    job.auditedAt,
  );
  parentPort.postMessage(`${JSON.stringify(report, null, 2)}\n`);
}
