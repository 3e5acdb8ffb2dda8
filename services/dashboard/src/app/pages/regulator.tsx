import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { gql } from "../api/client.js";
import {
  FREEZE,
  FREEZES,
  type FreezeKind,
  type FreezesData,
  type FreezeView,
  type Submission,
  UNFREEZE,
} from "../api/documents.js";
import { DataTable } from "../components/data-table.js";
import { ErrorNotice, Loading } from "../components/status.js";
import { TxProgress } from "../components/tx-progress.js";
import { formatTime } from "../format.js";
import { localeOf } from "../i18n/index.js";
import { FreezeHistory, type FreezeTarget, FreezeTargetFields } from "./regulator-history.js";

/**
 * The regulator's console: freezes in force with their reasons, rules and approvals to lift; freezing, approving
 * the lifting, and each target's freeze history (regulator's peer only).
 */
export function RegulatorPage({ isRegulator, agency }: { isRegulator: boolean; agency: string }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const [submission, setSubmission] = useState<Submission | null>(null);
  const [historyOf, setHistoryOf] = useState<FreezeTarget | null>(null);
  const data = useQuery({
    queryKey: ["freezes"],
    queryFn: () => gql<FreezesData>(FREEZES),
    enabled: isRegulator,
  });
  if (!isRegulator)
    return (
      <>
        <h1>{t("regulator.title")}</h1>
        <p>{t("regulator.onlyRegulator")}</p>
      </>
    );
  if (data.isPending) return <Loading />;
  if (data.error) return <ErrorNotice error={data.error} />;
  const suggestions = [
    ...new Set([
      ...data.data.freezes.map((f) => f.targetId),
      ...data.data.regions.flatMap((r) => r.agencies.map((a) => a.agencyId)),
      ...data.data.catalog.edges.map((e) => e.node.datasetId),
    ]),
  ];
  return (
    <>
      <h1>{t("regulator.title")}</h1>
      <FreezeForm data={data.data} onSubmitted={setSubmission} />
      {submission && <TxProgress key={submission.txId} submission={submission} />}
      <section aria-labelledby="freezes-title">
        <h2 id="freezes-title">{t("regulator.inForce")}</h2>
        <DataTable<FreezeView>
          testId="freezes"
          empty={t("regulator.none")}
          rows={data.data.freezes}
          rowKey={(f) => `${f.kind}/${f.targetId}`}
          rowData={(f) => ({ "data-target": `${f.kind}/${f.targetId}` })}
          columns={[
            { key: "kind", header: t("regulator.kind"), cell: (f) => t(`regulator.kinds.${f.kind}`) },
            { key: "target", header: t("regulator.target"), cell: (f) => f.targetId, rowHeader: true },
            {
              key: "reason",
              header: t("common.reason"),
              cell: (f) => (
                <>
                  {f.reason}
                  <div className="muted">
                    {f.rule === null
                      ? t("regulator.byRegulator", { by: f.by })
                      : `${t("regulator.rule")}: ${f.rule}${f.evidence ? ` · ${t("regulator.evidence")}: ${f.evidence}` : ""}`}
                  </div>
                </>
              ),
            },
            {
              key: "since",
              header: t("regulator.since"),
              cell: (f) => `${formatTime(f.time, locale)} · ${t("regulator.height", { height: f.height })}`,
            },
            {
              key: "approvals",
              header: t("regulator.approvals"),
              cell: (f) => (
                <span data-testid="approvals">
                  {t("regulator.approvalsOf", { count: f.approvals.length, needed: f.approvalsNeeded })}
                  {f.approvals.length > 0 && <div className="muted">{f.approvals.join(", ")}</div>}
                </span>
              ),
            },
            {
              key: "actions",
              header: t("common.actions"),
              cell: (f) => (
                <>
                  <button type="button" onClick={() => setHistoryOf({ kind: f.kind, id: f.targetId })}>
                    {t("regulator.history")}
                  </button>
                  {f.approvals.includes(agency) ? (
                    <p className="muted">{t("regulator.approved")}</p>
                  ) : (
                    <LiftForm freeze={f} onSubmitted={setSubmission} />
                  )}
                </>
              ),
            },
          ]}
        />
      </section>
      <FreezeHistory
        key={historyOf === null ? "" : `${historyOf.kind}/${historyOf.id}`}
        target={historyOf}
        onTarget={setHistoryOf}
        suggestions={suggestions}
      />
    </>
  );
}

/** Approves lifting a freeze (`unfreeze`): it lifts once the regulator set's threshold approved. */
function LiftForm({ freeze, onSubmitted }: { freeze: FreezeView; onSubmitted(s: Submission): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [reason, setReason] = useState("");
  const lift = useMutation({
    mutationFn: () =>
      gql<{ unfreeze: Submission }>(UNFREEZE, {
        target: { kind: freeze.kind, id: freeze.targetId },
        reason,
      }).then((d) => d.unfreeze),
    onSuccess: onSubmitted,
  });
  return (
    <>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          lift.mutate();
        }}
      >
        <label htmlFor={`${id}-reason`}>{t("common.reason")}</label>
        <input id={`${id}-reason`} required value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" disabled={lift.isPending}>
          {t("regulator.unfreeze")}
        </button>
      </form>
      {lift.error && <ErrorNotice error={lift.error} />}
    </>
  );
}

function FreezeForm({ data, onSubmitted }: { data: FreezesData; onSubmitted(s: Submission): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [kind, setKind] = useState<FreezeKind>("AGENCY");
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const freeze = useMutation({
    mutationFn: () =>
      gql<{ freeze: Submission }>(FREEZE, { target: { kind, id: target.trim() }, reason }).then(
        (d) => d.freeze,
      ),
    onSuccess: onSubmitted,
  });
  const agencies = data.regions.flatMap((r) => r.agencies.map((a) => a.agencyId));
  const suggestions =
    kind === "DATASET" ? data.catalog.edges.map((e) => e.node.datasetId) : kind === "GRANT" ? [] : agencies;
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>{t("regulator.freezeTitle")}</h2>
      <form
        className="grid-form"
        onSubmit={(e) => {
          e.preventDefault();
          freeze.mutate();
        }}
      >
        <FreezeTargetFields
          id={id}
          kind={kind}
          onKind={setKind}
          target={target}
          onTarget={setTarget}
          suggestions={suggestions}
        />
        <label htmlFor={`${id}-reason`}>{t("common.reason")}</label>
        <input
          id={`${id}-reason`}
          required
          maxLength={1024}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <div className="full">
          <button type="submit" disabled={freeze.isPending}>
            {t("regulator.freeze")}
          </button>
        </div>
        {freeze.error && (
          <div className="full">
            <ErrorNotice error={freeze.error} />
          </div>
        )}
      </form>
    </section>
  );
}
