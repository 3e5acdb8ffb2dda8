import type { AuditReport } from "@coken/auditor";
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { gql } from "../../api/client.js";
import { AUDIT_CHAIN, type AuditChainData } from "../../api/documents.js";
import { parseAuditReport, ReportError } from "../../audit-report.js";
import { ErrorNotice } from "../../components/status.js";
import { ReportView } from "./report.js";

/**
 * Audit: load the JSON report `coken audit --report` wrote (read in the browser, never uploaded), or have this
 * agency's peer audit its own chain now; then browse the report's discrepancies and anomalies.
 */
export function AuditPage() {
  const { t } = useTranslation();
  const id = useId();
  const [report, setReport] = useState<AuditReport | null>(null);
  const [fileError, setFileError] = useState<ReportError | null>(null);
  const run = useMutation({
    mutationFn: async () => parseAuditReport((await gql<AuditChainData>(AUDIT_CHAIN)).auditChain.report),
    onSuccess: (r) => {
      setFileError(null);
      setReport(r);
    },
  });
  const load = async (file: File | undefined) => {
    if (file === undefined) return;
    try {
      setReport(parseAuditReport(await file.text()));
      setFileError(null);
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      setReport(null);
      setFileError(e);
    }
  };
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <p className="muted">{t("audit.explain")}</p>
      <div className="columns">
        <section aria-labelledby={`${id}-load`} className="panel">
          <h2 id={`${id}-load`}>{t("audit.loadTitle")}</h2>
          <label htmlFor={`${id}-file`}>{t("audit.file")}</label>{" "}
          <input
            id={`${id}-file`}
            type="file"
            accept="application/json,.json"
            onChange={(e) => void load(e.target.files?.[0])}
          />
          {fileError && (
            <p role="alert" className="notice error" data-code={fileError.code}>
              <strong>{t("audit.badFile", { code: fileError.code })}</strong> {fileError.message}
            </p>
          )}
        </section>
        <section aria-labelledby={`${id}-run`} className="panel">
          <h2 id={`${id}-run`}>{t("audit.runTitle")}</h2>
          <p className="muted">{t("audit.runHint")}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              run.mutate();
            }}
          >
            <button type="submit" disabled={run.isPending}>
              {run.isPending ? t("audit.running") : t("audit.run")}
            </button>
          </form>
          {run.error && <ErrorNotice error={run.error} />}
        </section>
      </div>
      {report && (
        // A new report starts with its filters cleared.
        <ReportView key={`${report.source.name}/${report.auditedAt}/${report.height}`} report={report} />
      )}
    </>
  );
}
