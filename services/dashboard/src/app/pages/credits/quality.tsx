import { useQueries, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { gql } from "../../api/client.js";
import {
  DATASET_IDS,
  DATASET_QUALITY,
  type DatasetIdsData,
  type DatasetQualityData,
  type QualityBreakdown,
} from "../../api/credits-documents.js";
import { DataTable } from "../../components/data-table.js";
import { ErrorNotice, Loading } from "../../components/status.js";
import { formatPermille } from "../../format.js";
import { localeOf } from "../../i18n/index.js";

/**
 * The quality score of this agency's datasets (and of any other one added from the catalog), each with its three
 * parts as the ledger computes them: freshness × completeness × success.
 */
export function DataQuality() {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const id = useId();
  const [added, setAdded] = useState<string[]>([]);
  const ids = useQuery({
    queryKey: ["dataset-ids"],
    queryFn: () => gql<DatasetIdsData>(DATASET_IDS),
    refetchInterval: false,
  });
  const own = ids.data?.self.datasets.map((d) => d.datasetId) ?? [];
  const shown = [...new Set([...own, ...added])];
  const qualities = useQueries({
    queries: shown.map((dataset) => ({
      queryKey: ["dataset-quality", dataset],
      queryFn: () => gql<DatasetQualityData>(DATASET_QUALITY, { dataset }),
    })),
  });
  if (ids.isPending) return <Loading />;
  if (ids.error) return <ErrorNotice error={ids.error} />;
  const rows = qualities.flatMap((q) => (q.data?.datasetQuality ? [q.data.datasetQuality] : []));
  const failed = qualities.find((q) => q.error)?.error;
  const others = ids.data.catalog.edges.map((e) => e.node).filter((d) => !shown.includes(d.datasetId));
  const percent = (v: number) => formatPermille(v, locale);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("credits.qualityTitle")}</h2>
      <p className="muted">{t("credits.qualityExplain")}</p>
      {own.length === 0 && <p>{t("credits.noOwnDatasets")}</p>}
      {others.length > 0 && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-add`}>{t("credits.addDataset")}</label>
          <select
            id={`${id}-add`}
            value=""
            onChange={(e) => e.target.value !== "" && setAdded([...added, e.target.value])}
          >
            <option value="">{t("common.choose")}</option>
            {others.map((d) => (
              <option key={d.datasetId} value={d.datasetId}>
                {d.datasetId} · {d.title}
              </option>
            ))}
          </select>
        </form>
      )}
      {failed && <ErrorNotice error={failed} />}
      {qualities.some((q) => q.isPending) && <Loading />}
      <DataTable<QualityBreakdown>
        testId="dataset-quality"
        rows={rows}
        rowKey={(q) => q.dataset}
        rowData={(q) => ({ "data-dataset": q.dataset, "data-score": String(q.score) })}
        columns={[
          { key: "dataset", header: t("credits.dataset"), cell: (q) => q.dataset, rowHeader: true },
          {
            key: "score",
            header: t("credits.score"),
            cell: (q) => (
              <>
                <meter min={0} max={1000} value={q.score} aria-hidden="true" /> {percent(q.score)}
              </>
            ),
            numeric: true,
          },
          {
            key: "freshness",
            header: t("credits.freshness"),
            cell: (q) => percent(q.freshness),
            numeric: true,
          },
          {
            key: "completeness",
            header: t("credits.completeness"),
            cell: (q) => percent(q.completeness),
            numeric: true,
          },
          { key: "success", header: t("credits.success"), cell: (q) => percent(q.success), numeric: true },
          {
            key: "commits",
            header: t("credits.commits"),
            cell: (q) => `${q.onTime} / ${q.commits}`,
            numeric: true,
          },
          { key: "accesses", header: t("credits.accesses"), cell: (q) => q.accessCount, numeric: true },
          { key: "disputed", header: t("credits.disputed"), cell: (q) => q.disputed, numeric: true },
        ]}
      />
    </section>
  );
}
