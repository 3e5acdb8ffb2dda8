import type { AuditReport } from "@coken/auditor";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { anomaliesOf, discrepanciesOf } from "../../audit-report.js";
import { DataTable } from "../../components/data-table.js";
import { Badge } from "../../components/status.js";
import { formatTime, shortHash } from "../../format.js";
import { localeOf } from "../../i18n/index.js";

const sorted = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

/** One audit report: its verdict and what it covered, totals, then discrepancies and anomalies with filters. */
export function ReportView({ report: r }: { report: AuditReport }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const s = r.stats;
  const refused = sorted(s.refused);
  return (
    <article aria-labelledby="report-verdict" data-testid="audit-report" data-height={r.height}>
      <h2 id="report-verdict" data-testid="audit-verdict" data-ok={String(r.ok)}>
        {r.ok ? (
          <Badge tone="ok">{t("audit.verdictOk")}</Badge>
        ) : (
          <Badge tone="bad">{t("audit.verdictBad", { count: r.discrepancyCount })}</Badge>
        )}{" "}
        {r.chain}
      </h2>
      <dl className="facts">
        <dt>{t("audit.replayed")}</dt>
        <dd data-testid="audit-height">
          {r.height} ({t("audit.certified", { height: r.verifiedHeight })})
        </dd>
        <dt>{t("audit.genesisHash")}</dt>
        <dd>
          <code title={r.genesisHash}>{shortHash(r.genesisHash, 24)}</code>
        </dd>
        <dt>{t("audit.appHash")}</dt>
        <dd>
          <code title={r.appHash}>{shortHash(r.appHash, 24)}</code>
        </dd>
        <dt>{t("audit.source")}</dt>
        <dd>
          {r.source.kind} · {r.source.name}
        </dd>
        {r.source.digest && (
          <>
            <dt>{t("audit.digest")}</dt>
            <dd>
              <code title={r.source.digest}>{shortHash(r.source.digest, 24)}</code>
            </dd>
          </>
        )}
        <dt>{t("audit.auditedAt")}</dt>
        <dd>{formatTime(r.auditedAt, locale)}</dd>
      </dl>
      <section aria-label={t("audit.blocks")} className="cards">
        <Card label={t("audit.blocks")} value={s.blocks} />
        <Card label={t("audit.txs")} value={s.txs} />
        <Card label={t("audit.refused")} value={refused.reduce((n, x) => n + x.count, 0)} />
        <Card
          label={t("audit.receipts")}
          value={s.receipts.acknowledged + s.receipts.attested}
          detail={t("audit.receiptsDetail", s.receipts)}
        />
        <Card
          label={t("audit.proofs")}
          value={s.proofs.verified}
          detail={t("audit.proofsDetail", s.proofs)}
        />
      </section>
      <Discrepancies report={r} />
      <Anomalies report={r} />
      <div className="columns">
        <section aria-labelledby="report-refused">
          <h3 id="report-refused">{t("audit.refusedTitle")}</h3>
          <DataTable
            empty={t("common.none")}
            rows={refused}
            rowKey={(x) => x.key}
            columns={[
              { key: "code", header: t("audit.code"), cell: (x) => x.key, rowHeader: true },
              { key: "count", header: t("audit.count"), cell: (x) => x.count, numeric: true },
            ]}
          />
        </section>
        <section aria-labelledby="report-freezes">
          <h3 id="report-freezes">{t("audit.freezesTitle")}</h3>
          <DataTable
            empty={t("common.none")}
            rows={s.freezes}
            rowKey={(f, i) => `${i}/${f.kind}/${f.id}`}
            columns={[
              { key: "height", header: t("common.height"), cell: (f) => f.height, numeric: true },
              { key: "action", header: t("audit.action"), cell: (f) => f.action },
              {
                key: "target",
                header: t("regulator.target"),
                cell: (f) => `${f.kind} ${f.id}`,
                rowHeader: true,
              },
              { key: "by", header: t("audit.by"), cell: (f) => f.by },
              { key: "reason", header: t("common.reason"), cell: (f) => f.reason },
            ]}
          />
        </section>
      </div>
      <section aria-labelledby="report-grants">
        <h3 id="report-grants">{t("audit.grantsTitle")}</h3>
        <DataTable
          empty={t("common.none")}
          rows={Object.values(s.grants)}
          rowKey={(g) => g.grant}
          columns={[
            {
              key: "grant",
              header: t("audit.grant"),
              cell: (g) => <code>{shortHash(g.grant)}</code>,
              rowHeader: true,
            },
            { key: "dataset", header: t("credits.dataset"), cell: (g) => g.dataset },
            { key: "grantor", header: t("grants.grantor"), cell: (g) => g.grantor },
            { key: "grantee", header: t("grants.grantee"), cell: (g) => g.grantee },
            { key: "receipts", header: t("audit.receipts"), cell: (g) => g.receipts, numeric: true },
            { key: "used", header: t("audit.used"), cell: (g) => `${g.used} / ${g.quota}`, numeric: true },
          ]}
        />
      </section>
    </article>
  );
}

function Card({ label, value, detail }: { label: string; value: number; detail?: string }) {
  return (
    <div className="card">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {detail && <div className="muted">{detail}</div>}
    </div>
  );
}

function Discrepancies({ report: r }: { report: AuditReport }) {
  const { t } = useTranslation();
  const id = useId();
  const [code, setCode] = useState("");
  const codes = [...new Set(r.discrepancies.map((d) => d.code))].sort();
  const shown = discrepanciesOf(r, code);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("audit.discrepanciesTitle")}</h3>
      {codes.length > 1 && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-code`}>{t("audit.code")}</label>
          <select id={`${id}-code`} value={code} onChange={(e) => setCode(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {codes.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </form>
      )}
      {r.discrepancyCount > r.discrepancies.length && (
        <p className="muted">
          {t("audit.firstOnly", { shown: r.discrepancies.length, count: r.discrepancyCount })}
        </p>
      )}
      <DataTable
        testId="audit-discrepancies"
        empty={t("audit.noDiscrepancies")}
        rows={shown}
        rowKey={(d, i) => `${i}/${d.code}`}
        rowData={(d) => ({ "data-code": d.code })}
        columns={[
          { key: "code", header: t("audit.code"), cell: (d) => d.code, rowHeader: true },
          { key: "height", header: t("common.height"), cell: (d) => d.height, numeric: true },
          { key: "tx", header: t("audit.tx"), cell: (d) => d.tx ?? "—", numeric: true },
          {
            key: "receipt",
            header: t("audit.receipt"),
            cell: (d) => (d.receipt ? <code title={d.receipt}>{shortHash(d.receipt)}</code> : "—"),
          },
          { key: "reason", header: t("common.reason"), cell: (d) => d.reason },
        ]}
      />
    </section>
  );
}

function Anomalies({ report: r }: { report: AuditReport }) {
  const { t } = useTranslation();
  const id = useId();
  const [kind, setKind] = useState("");
  const [text, setText] = useState("");
  const counts = sorted(r.stats.anomalyCounts as Record<string, number>);
  const total = counts.reduce((n, x) => n + x.count, 0);
  const shown = anomaliesOf(r, kind, text);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("audit.anomaliesTitle")}</h3>
      {counts.length === 0 ? (
        <p className="muted">{t("audit.noAnomalies")}</p>
      ) : (
        <>
          <DataTable
            testId="audit-anomaly-counts"
            rows={counts}
            rowKey={(x) => x.key}
            rowData={(x) => ({ "data-kind": x.key, "data-count": String(x.count) })}
            columns={[
              { key: "kind", header: t("audit.kind"), cell: (x) => x.key, rowHeader: true },
              { key: "count", header: t("audit.count"), cell: (x) => x.count, numeric: true },
            ]}
          />
          <form
            className="filters"
            onSubmit={(e) => e.preventDefault()}
            aria-label={t("audit.anomaliesTitle")}
          >
            <label htmlFor={`${id}-kind`}>{t("audit.kind")}</label>
            <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t("common.all")}</option>
              {counts.map((x) => (
                <option key={x.key}>{x.key}</option>
              ))}
            </select>
            <label htmlFor={`${id}-text`}>{t("audit.search")}</label>
            <input id={`${id}-text`} type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </form>
          <p aria-live="polite" data-testid="anomalies-shown" data-count={shown.length}>
            {t("audit.shown", { count: shown.length })}{" "}
            {total > r.stats.anomalies.length &&
              t("audit.keptOnly", { kept: r.stats.anomalies.length, count: total })}
          </p>
          <DataTable
            testId="audit-anomalies"
            rows={shown}
            rowKey={(a, i) => `${i}/${a.kind}`}
            rowData={(a) => ({ "data-kind": a.kind })}
            columns={[
              { key: "kind", header: t("audit.kind"), cell: (a) => a.kind, rowHeader: true },
              { key: "height", header: t("common.height"), cell: (a) => a.height, numeric: true },
              { key: "tx", header: t("audit.tx"), cell: (a) => a.tx ?? "—", numeric: true },
              {
                key: "receipt",
                header: t("audit.receipt"),
                cell: (a) => (a.receipt ? <code title={a.receipt}>{shortHash(a.receipt)}</code> : "—"),
              },
              { key: "who", header: t("audit.who"), cell: (a) => a.agency ?? a.grant ?? "—" },
              { key: "detail", header: t("audit.detail"), cell: (a) => a.detail },
            ]}
          />
        </>
      )}
    </section>
  );
}
