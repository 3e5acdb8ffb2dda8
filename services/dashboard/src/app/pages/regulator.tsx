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
import { ErrorNotice, Loading } from "../components/status.js";
import { TxProgress } from "../components/tx-progress.js";
import { formatTime } from "../format.js";
import { localeOf } from "../i18n/index.js";

const KINDS: FreezeKind[] = ["AGENCY", "DATASET", "GRANT", "ACCOUNT"];

/** The regulator's console: freezes in force with their reasons; freezing and lifting (regulator's peer only). */
export function RegulatorPage({ isRegulator }: { isRegulator: boolean }) {
  const { t } = useTranslation();
  const [submission, setSubmission] = useState<Submission | null>(null);
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
  return (
    <>
      <h1>{t("regulator.title")}</h1>
      <FreezeForm data={data.data} onSubmitted={setSubmission} />
      {submission && <TxProgress key={submission.txId} submission={submission} />}
      <section aria-labelledby="freezes-title">
        <h2 id="freezes-title">{t("regulator.inForce")}</h2>
        {data.data.freezes.length === 0 ? (
          <p className="muted">{t("regulator.none")}</p>
        ) : (
          <div className="scroll">
            <table data-testid="freezes">
              <thead>
                <tr>
                  <th scope="col">{t("regulator.kind")}</th>
                  <th scope="col">{t("regulator.target")}</th>
                  <th scope="col">{t("common.reason")}</th>
                  <th scope="col">{t("regulator.since")}</th>
                  <th scope="col">{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.freezes.map((f) => (
                  <FreezeRow key={`${f.kind}/${f.targetId}`} freeze={f} onSubmitted={setSubmission} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function FreezeRow({ freeze, onSubmitted }: { freeze: FreezeView; onSubmitted(s: Submission): void }) {
  const { t, i18n } = useTranslation();
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
    <tr data-target={`${freeze.kind}/${freeze.targetId}`}>
      <td>{t(`regulator.kinds.${freeze.kind}`)}</td>
      <th scope="row">{freeze.targetId}</th>
      <td>{freeze.reason}</td>
      <td>
        {formatTime(freeze.time, localeOf(i18n.language))} ·{" "}
        {t("regulator.height", { height: freeze.height })}
      </td>
      <td>
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
      </td>
    </tr>
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
        <label htmlFor={`${id}-kind`}>{t("regulator.kind")}</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as FreezeKind)}>
          {KINDS.map((k) => (
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
          onChange={(e) => setTarget(e.target.value)}
        />
        <datalist id={`${id}-targets`}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
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
