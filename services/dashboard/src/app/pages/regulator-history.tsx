import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { readPages } from "../api/client.js";
import {
  FREEZE_HISTORY,
  type FreezeEventView,
  type FreezeHistoryData,
  type FreezeKind,
} from "../api/documents.js";
import { DataTable } from "../components/data-table.js";
import { Badge, ErrorNotice, Loading } from "../components/status.js";
import { formatTime } from "../format.js";
import { localeOf } from "../i18n/index.js";

export const FREEZE_KINDS: FreezeKind[] = ["AGENCY", "DATASET", "GRANT", "ACCOUNT"];

export interface FreezeTarget {
  kind: FreezeKind;
  id: string;
}

const TONE = { FREEZE: "bad", APPROVE: "warn", UNFREEZE: "ok" } as const;

/**
 * The freeze history of one target (`freezeHistory`), newest first: each freeze with its reason, rule and
 * evidence, each approval to lift it and the lifting. `target` is the one shown; `onTarget` picks another.
 */
/** The kind and id of a freeze target, with the ids on the ledger offered as suggestions. */
export function FreezeTargetFields({
  id,
  kind,
  onKind,
  target,
  onTarget,
  suggestions,
}: {
  id: string;
  kind: FreezeKind;
  onKind(kind: FreezeKind): void;
  target: string;
  onTarget(target: string): void;
  suggestions: string[];
}) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={`${id}-kind`}>{t("regulator.kind")}</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => onKind(e.target.value as FreezeKind)}>
        {FREEZE_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`regulator.kinds.${k}`)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-target`}>{t("regulator.target")}</label>
      <input
        id={`${id}-target`}
        required
        list={`${id}-targets`}
        value={target}
        onChange={(e) => onTarget(e.target.value)}
      />
      <datalist id={`${id}-targets`}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}

export function FreezeHistory({
  target,
  onTarget,
  suggestions,
}: {
  target: FreezeTarget | null;
  onTarget(t: FreezeTarget): void;
  suggestions: string[];
}) {
  const { t } = useTranslation();
  const id = useId();
  const [kind, setKind] = useState<FreezeKind>(target?.kind ?? "AGENCY");
  const [text, setText] = useState(target?.id ?? "");
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>{t("regulator.historyTitle")}</h2>
      <p className="muted">{t("regulator.historyHint")}</p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim() !== "") onTarget({ kind, id: text.trim() });
        }}
      >
        <FreezeTargetFields
          id={id}
          kind={kind}
          onKind={setKind}
          target={text}
          onTarget={setText}
          suggestions={suggestions}
        />
        <button type="submit">{t("regulator.showHistory")}</button>
      </form>
      {target && <HistoryTable key={`${target.kind}/${target.id}`} target={target} />}
    </section>
  );
}

function HistoryTable({ target }: { target: FreezeTarget }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const history = useQuery({
    queryKey: ["freeze-history", target.kind, target.id],
    queryFn: () =>
      readPages(
        FREEZE_HISTORY,
        { kind: target.kind, target: target.id },
        (d: FreezeHistoryData) => d.freezeHistory,
        4,
      ),
  });
  if (history.isPending) return <Loading />;
  if (history.error) return <ErrorNotice error={history.error} />;
  const events = history.data.nodes;
  return (
    <>
      <p aria-live="polite" data-testid="history-count">
        {t(`regulator.kinds.${target.kind}`)} <strong>{target.id}</strong>:{" "}
        {t("regulator.historyCount", {
          count: history.data.first?.freezeHistory.totalCount ?? events.length,
        })}
      </p>
      <DataTable<FreezeEventView>
        testId="freeze-history"
        empty={t("regulator.noHistory")}
        rows={events}
        rowKey={(e) => String(e.n)}
        rowData={(e) => ({ "data-event": e.action, "data-n": String(e.n) })}
        columns={[
          { key: "n", header: "#", cell: (e) => e.n, numeric: true, rowHeader: true },
          {
            key: "event",
            header: t("regulator.event"),
            cell: (e) => <Badge tone={TONE[e.action]}>{t(`regulator.events.${e.action}`)}</Badge>,
          },
          { key: "by", header: t("regulator.by"), cell: (e) => e.by },
          {
            key: "reason",
            header: t("common.reason"),
            cell: (e) => (
              <>
                {e.reason}
                {e.rule && (
                  <div className="muted">
                    {t("regulator.rule")}: {e.rule}
                    {e.evidence && ` · ${t("regulator.evidence")}: ${e.evidence}`}
                  </div>
                )}
              </>
            ),
          },
          { key: "approvals", header: t("regulator.approvals"), cell: (e) => e.approvals.join(", ") || "—" },
          {
            key: "time",
            header: t("common.time"),
            cell: (e) => `${formatTime(e.time, locale)} · ${t("regulator.height", { height: e.height })}`,
          },
        ]}
      />
    </>
  );
}
