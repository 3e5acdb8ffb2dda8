import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { gql, readPages } from "../api/client.js";
import {
  ACCESS_LOG,
  type AccessLogData,
  AGENCY_REGIONS,
  type AgencyRegionsData,
  type ReceiptProof,
  type ReceiptRecording,
  type ReceiptView,
} from "../api/documents.js";
import { DataTable } from "../components/data-table.js";
import { ProofBadge, RecordingBadge } from "../components/receipt-status.js";
import { ErrorNotice, Loading } from "../components/status.js";
import { formatTime, requestsPerDay, shortHash, topConsumers } from "../format.js";
import { localeOf } from "../i18n/index.js";

// The log lists oldest first, 100 a page: read at most this many pages of the chosen period.
const MAX_PAGES = 10;
const PERIODS = { "7": 7, "30": 30, all: null } as const;
const PALETTE = ["#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285"];

type Role = "ALL" | "ISSUED" | "RECEIVED";
const RECORDINGS: ReceiptRecording[] = ["ACKNOWLEDGED", "ATTESTED", "DISPUTED"];
const PROOFS: ReceiptProof[] = ["VERIFIED", "UNCONFIRMED", "NOT_PROVED"];

async function readLog(
  filter: Record<string, unknown>,
): Promise<{ receipts: ReceiptView[]; truncated: boolean }> {
  const { nodes, truncated } = await readPages(
    ACCESS_LOG,
    { filter },
    (d: AccessLogData) => d.accessLog,
    MAX_PAGES,
  );
  return { receipts: nodes, truncated };
}

/**
 * Receipts on the ledger that involve this agency: filters (side, period, dataset, agency, region, how each is
 * recorded and whether its proof was verified), a table, requests per day per region, top askers.
 */
export function AccessLogPage() {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const id = useId();
  const [role, setRole] = useState<Role>("ALL");
  const [period, setPeriod] = useState<keyof typeof PERIODS>("30");
  const [dataset, setDataset] = useState("");
  const [agency, setAgency] = useState("");
  const [region, setRegion] = useState("");
  const [recording, setRecording] = useState<ReceiptRecording | "">("");
  const [proof, setProof] = useState<ReceiptProof | "">("");
  const days = PERIODS[period];
  // The start of the period, to the minute, so the query key stays put between refetches.
  const from = days === null ? null : new Date(Math.floor(Date.now() / 60_000) * 60_000 - days * 86_400_000);
  const filter = {
    role,
    ...(dataset === "" ? {} : { dataset }),
    ...(from === null ? {} : { from: from.toISOString() }),
  };
  const log = useQuery({ queryKey: ["access-log", filter], queryFn: () => readLog(filter) });
  const places = useQuery({
    queryKey: ["agency-regions"],
    queryFn: () => gql<AgencyRegionsData>(AGENCY_REGIONS),
    refetchInterval: false,
  });
  const regionByAgency = new Map(
    places.data?.regions.flatMap((r) => r.agencies.map((a) => [a.agencyId, r.id] as const)) ?? [],
  );
  const all = log.data?.receipts ?? [];
  const shown = all.filter(
    (r) =>
      (agency === "" || r.provider === agency || r.requester === agency) &&
      (region === "" ||
        regionByAgency.get(r.provider) === region ||
        regionByAgency.get(r.requester) === region) &&
      (recording === "" || r.recording === recording) &&
      (proof === "" || r.proof === proof),
  );
  const perDay = requestsPerDay(shown, (a) => regionByAgency.get(a));
  const top = topConsumers(shown);
  const datasets = [...new Set(all.map((r) => r.datasetId))].sort();
  const agencies = [...regionByAgency.keys()].sort();
  const regions = [...new Set(regionByAgency.values())].sort();
  return (
    <>
      <h1>{t("log.title")}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t("log.filters")}>
        <label htmlFor={`${id}-role`}>{t("log.side")}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="ALL">{t("log.sideAll")}</option>
          <option value="ISSUED">{t("log.sideProvider")}</option>
          <option value="RECEIVED">{t("log.sideRequester")}</option>
        </select>
        <label htmlFor={`${id}-period`}>{t("log.period")}</label>
        <select
          id={`${id}-period`}
          value={period}
          onChange={(e) => setPeriod(e.target.value as keyof typeof PERIODS)}
        >
          <option value="7">{t("log.days", { count: 7 })}</option>
          <option value="30">{t("log.days", { count: 30 })}</option>
          <option value="all">{t("log.allTime")}</option>
        </select>
        <label htmlFor={`${id}-dataset`}>{t("log.dataset")}</label>
        <select id={`${id}-dataset`} value={dataset} onChange={(e) => setDataset(e.target.value)}>
          <option value="">{t("common.all")}</option>
          {[...new Set([...datasets, ...(dataset === "" ? [] : [dataset])])].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-agency`}>{t("common.agency")}</label>
        <select id={`${id}-agency`} value={agency} onChange={(e) => setAgency(e.target.value)}>
          <option value="">{t("common.all")}</option>
          {agencies.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-region`}>{t("common.region")}</label>
        <select id={`${id}-region`} value={region} onChange={(e) => setRegion(e.target.value)}>
          <option value="">{t("common.all")}</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-recording`}>{t("log.recording")}</label>
        <select
          id={`${id}-recording`}
          value={recording}
          onChange={(e) => setRecording(e.target.value as ReceiptRecording | "")}
        >
          <option value="">{t("common.all")}</option>
          {RECORDINGS.map((r) => (
            <option key={r} value={r}>
              {t(`log.recordingState.${r}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-proof`}>{t("log.proof")}</label>
        <select
          id={`${id}-proof`}
          value={proof}
          onChange={(e) => setProof(e.target.value as ReceiptProof | "")}
        >
          <option value="">{t("common.all")}</option>
          {PROOFS.map((p) => (
            <option key={p} value={p}>
              {t(`log.proofState.${p}`)}
            </option>
          ))}
        </select>
      </form>
      {log.error && <ErrorNotice error={log.error} />}
      {log.isPending ? (
        <Loading />
      ) : (
        <>
          <p aria-live="polite" data-testid="log-count">
            {t("log.count", { count: shown.length })}{" "}
            {log.data?.truncated && t("log.truncated", { count: all.length })}
          </p>
          <div className="columns">
            <section aria-labelledby={`${id}-per-day`} className="chart">
              <h2 id={`${id}-per-day`}>{t("log.perDay")}</h2>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={perDay.rows} accessibilityLayer>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="day" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {perDay.regions.map((r, i) => (
                    <Bar
                      key={r}
                      dataKey={r}
                      stackId="regions"
                      fill={PALETTE[i % PALETTE.length]}
                      isAnimationActive={false}
                    />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </section>
            <section aria-labelledby={`${id}-top`} className="chart">
              <h2 id={`${id}-top`}>{t("log.topConsumers")}</h2>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={top} layout="vertical" accessibilityLayer margin={{ left: 40 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" allowDecimals={false} />
                  <YAxis type="category" dataKey="agency" width={150} />
                  <Tooltip />
                  <Bar
                    dataKey="requests"
                    name={t("log.requests")}
                    fill={PALETTE[0]}
                    isAnimationActive={false}
                  />
                </BarChart>
              </ResponsiveContainer>
            </section>
          </div>
          <section aria-labelledby={`${id}-receipts`}>
            <h2 id={`${id}-receipts`}>{t("log.receipts")}</h2>
            <p className="muted">{t("log.statesExplain")}</p>
            <DataTable<ReceiptView>
              testId="receipts"
              rows={[...shown].reverse()}
              rowKey={(r) => r.receiptId}
              empty={t("common.none")}
              rowData={(r) => ({
                "data-receipt": r.receiptId,
                "data-recording": r.recording,
                "data-proof": r.proof,
              })}
              columns={[
                { key: "time", header: t("common.time"), cell: (r) => formatTime(r.time, locale) },
                { key: "provider", header: t("log.provider"), cell: (r) => r.provider },
                { key: "requester", header: t("log.requester"), cell: (r) => r.requester },
                { key: "dataset", header: t("log.dataset"), cell: (r) => r.datasetId },
                {
                  key: "receipt",
                  header: t("log.receipt"),
                  cell: (r) => <code title={r.receiptId}>{shortHash(r.receiptId)}</code>,
                },
                { key: "recording", header: t("log.recording"), cell: (r) => <RecordingBadge receipt={r} /> },
                { key: "proof", header: t("log.proof"), cell: (r) => <ProofBadge proof={r.proof} /> },
              ]}
            />
          </section>
        </>
      )}
    </>
  );
}
