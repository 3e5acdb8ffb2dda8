import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { readPages } from "../api/client.js";
import {
  COMMITMENT_HISTORY,
  type CommitmentHistoryData,
  type CommitmentVersionView,
} from "../api/documents.js";
import { DataTable } from "../components/data-table.js";
import { ErrorNotice, Loading } from "../components/status.js";
import { formatTime, shortHash } from "../format.js";
import { localeOf } from "../i18n/index.js";

// Twenty versions a page: the newest hundred are read at most.
const MAX_PAGES = 5;

/** A dataset's commitments, newest first, read when the reader opens them (`commitmentHistory`). */
export function CommitmentHistory({ dataset, versions }: { dataset: string; versions: number }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [open, setOpen] = useState(false);
  const history = useQuery({
    queryKey: ["commitment-history", dataset, versions],
    queryFn: () =>
      readPages(
        COMMITMENT_HISTORY,
        { dataset },
        (d: CommitmentHistoryData) => d.commitmentHistory,
        MAX_PAGES,
      ),
    enabled: open,
    refetchInterval: false,
  });
  return (
    <details
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-testid="commitment-history"
      data-versions={versions}
    >
      <summary>{t("catalog.history", { count: versions })}</summary>
      {history.error && <ErrorNotice error={history.error} />}
      {open && history.isPending && <Loading />}
      {history.data && (
        <>
          <DataTable<CommitmentVersionView>
            rows={history.data.nodes}
            rowKey={(v) => String(v.version)}
            rowData={(v) => ({ "data-version": String(v.version) })}
            empty={t("common.none")}
            columns={[
              { key: "version", header: t("catalog.version"), cell: (v) => `v${v.version}`, rowHeader: true },
              { key: "time", header: t("catalog.committed"), cell: (v) => formatTime(v.time, locale) },
              { key: "height", header: t("common.height"), cell: (v) => v.height, numeric: true },
              {
                key: "root",
                header: t("catalog.root"),
                cell: (v) => (
                  <>
                    {v.scheme} <code title={v.root}>{shortHash(v.root, 16)}</code>
                  </>
                ),
              },
              { key: "rows", header: t("catalog.rowCount"), cell: (v) => v.rowCount, numeric: true },
              {
                key: "tx",
                header: t("catalog.tx"),
                cell: (v) => <code title={v.txHash}>{shortHash(v.txHash)}</code>,
              },
            ]}
          />
          {history.data.truncated && (
            <p className="muted">{t("catalog.historyTruncated", { count: history.data.nodes.length })}</p>
          )}
        </>
      )}
    </details>
  );
}
