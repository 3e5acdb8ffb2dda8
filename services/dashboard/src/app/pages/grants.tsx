import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { gql, readPages } from "../api/client.js";
import {
  GRANTS,
  type GrantsData,
  type GrantView,
  ISSUE_GRANT,
  OWN_DATASETS_AND_AGENCIES,
  type OwnDatasetsData,
  type QueryKind,
  REVOKE_GRANT,
  type Submission,
} from "../api/documents.js";
import { Badge, ErrorNotice, Loading } from "../components/status.js";
import { TxProgress } from "../components/tx-progress.js";
import { formatTime, type GrantState, grantState, quotaShare } from "../format.js";
import { localeOf } from "../i18n/index.js";

const TONE: Record<GrantState, "ok" | "warn" | "bad"> = {
  active: "ok",
  revoked: "bad",
  expired: "warn",
  exhausted: "warn",
  frozen: "bad",
};

/** Grants this agency issued and received, with their state and quota use; issuing and revoking. */
export function GrantsPage() {
  const { t } = useTranslation();
  const [submission, setSubmission] = useState<Submission | null>(null);
  return (
    <>
      <h1>{t("grants.title")}</h1>
      <IssueGrantForm onSubmitted={setSubmission} />
      {submission && <TxProgress key={submission.txId} submission={submission} />}
      <GrantTable side="ISSUED" onSubmitted={setSubmission} />
      <GrantTable side="RECEIVED" onSubmitted={setSubmission} />
    </>
  );
}

function GrantTable({
  side: role,
  onSubmitted,
}: {
  side: "ISSUED" | "RECEIVED";
  onSubmitted(s: Submission): void;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const grants = useQuery({
    queryKey: ["grants", role],
    queryFn: () => readPages(GRANTS, { role }, (d: GrantsData) => d.grants),
  });
  const titleId = `grants-${role}`;
  const now = Date.now();
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>{t(role === "ISSUED" ? "grants.issued" : "grants.received")}</h2>
      {grants.error && <ErrorNotice error={grants.error} />}
      {grants.isPending ? (
        <Loading />
      ) : grants.data?.nodes.length === 0 ? (
        <p className="muted">{t("grants.none")}</p>
      ) : (
        <div className="scroll">
          <table data-testid={`grants-${role.toLowerCase()}`}>
            <thead>
              <tr>
                <th scope="col">{t("grants.dataset")}</th>
                <th scope="col">{t(role === "ISSUED" ? "grants.grantee" : "grants.grantor")}</th>
                <th scope="col">{t("grants.kinds")}</th>
                <th scope="col">{t("grants.purpose")}</th>
                <th scope="col">{t("grants.quotaUse")}</th>
                <th scope="col">{t("grants.expires")}</th>
                <th scope="col">{t("common.status")}</th>
                {role === "ISSUED" && <th scope="col">{t("common.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {grants.data?.nodes.map((g) => {
                const state = grantState(g, now);
                return (
                  <tr key={g.grantId} data-grant={g.grantId} data-state={state}>
                    <th scope="row">
                      {g.datasetId}
                      <div className="muted">
                        <code>{g.grantId.slice(0, 12)}</code>
                      </div>
                    </th>
                    <td>{role === "ISSUED" ? g.grantee : g.grantor}</td>
                    <td>{g.queryKinds.join(", ")}</td>
                    <td>{g.purpose}</td>
                    <td>
                      <meter
                        min={0}
                        max={1}
                        value={quotaShare(g.used, g.quota)}
                        aria-label={t("grants.quotaUse")}
                      />{" "}
                      {g.used} / {g.quota}
                    </td>
                    <td>{formatTime(g.expiresAt, locale)}</td>
                    <td>
                      <Badge tone={TONE[state]}>{t(`grants.state.${state}`)}</Badge>
                      {g.revokedReason && <div className="muted">{g.revokedReason}</div>}
                    </td>
                    {role === "ISSUED" && (
                      <td>{!g.revoked && <RevokeButton grant={g} onSubmitted={onSubmitted} />}</td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RevokeButton({ grant, onSubmitted }: { grant: GrantView; onSubmitted(s: Submission): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const revoke = useMutation({
    mutationFn: () =>
      gql<{ revokeGrant: Submission }>(REVOKE_GRANT, { grant: grant.grantId, reason }).then(
        (d) => d.revokeGrant,
      ),
    onSuccess: (s) => {
      setOpen(false);
      onSubmitted(s);
    },
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t("grants.revoke")}
      </button>
    );
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        revoke.mutate();
      }}
    >
      <label htmlFor={`${id}-reason`}>{t("common.reason")}</label>
      <input id={`${id}-reason`} required value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" disabled={revoke.isPending}>
        {t("grants.confirmRevoke")}
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        {t("common.cancel")}
      </button>
      {revoke.error && <ErrorNotice error={revoke.error} />}
    </form>
  );
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** grant.issue on one of this agency's datasets, signed by the peer with the agency's key. */
function IssueGrantForm({ onSubmitted }: { onSubmitted(s: Submission): void }) {
  const { t } = useTranslation();
  const id = useId();
  const own = useQuery({
    queryKey: ["own-datasets"],
    queryFn: () => gql<OwnDatasetsData>(OWN_DATASETS_AND_AGENCIES),
    refetchInterval: false,
  });
  const [datasetId, setDatasetId] = useState("");
  const [grantee, setGrantee] = useState("");
  const [kinds, setKinds] = useState<QueryKind[]>([]);
  const [fields, setFields] = useState<string[]>([]);
  const [purpose, setPurpose] = useState("");
  const [quota, setQuota] = useState("100");
  const [expires, setExpires] = useState(inDays(30));
  const issue = useMutation({
    mutationFn: () =>
      gql<{ issueGrant: Submission }>(ISSUE_GRANT, {
        input: {
          dataset: datasetId,
          grantee,
          queryKinds: kinds,
          fields,
          purpose,
          quota: Number(quota),
          expiresAt: new Date(`${expires}T23:59:59Z`).toISOString(),
        },
      }).then((d) => d.issueGrant),
    onSuccess: onSubmitted,
  });
  if (own.isPending) return <Loading />;
  if (own.error) return <ErrorNotice error={own.error} />;
  const datasets = own.data.self.datasets;
  if (datasets.length === 0) return <p className="muted">{t("grants.noOwnDatasets")}</p>;
  const dataset = datasets.find((d) => d.datasetId === datasetId);
  const others = own.data.regions
    .flatMap((r) => r.agencies)
    .filter((a) => a.agencyId !== own.data.self.agencyId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    issue.mutate();
  };
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>{t("grants.issueTitle")}</h2>
      <form onSubmit={submit} className="grid-form" aria-describedby={`${id}-hint`}>
        <p id={`${id}-hint`} className="muted full">
          {t("grants.issueHint")}
        </p>
        <label htmlFor={`${id}-dataset`}>{t("grants.dataset")}</label>
        <select
          id={`${id}-dataset`}
          required
          value={datasetId}
          onChange={(e) => {
            setDatasetId(e.target.value);
            setKinds([]);
            setFields([]);
          }}
        >
          <option value="">{t("common.choose")}</option>
          {datasets.map((d) => (
            <option key={d.datasetId} value={d.datasetId}>
              {d.datasetId} — {d.title}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-grantee`}>{t("grants.grantee")}</label>
        <select id={`${id}-grantee`} required value={grantee} onChange={(e) => setGrantee(e.target.value)}>
          <option value="">{t("common.choose")}</option>
          {others.map((a) => (
            <option key={a.agencyId} value={a.agencyId}>
              {a.agencyId} — {a.name}
            </option>
          ))}
        </select>
        <fieldset className="full">
          <legend>{t("grants.kinds")}</legend>
          {(dataset?.queryKinds ?? []).map((k) => (
            <label key={k} className="check">
              <input
                type="checkbox"
                name="kind"
                value={k}
                checked={kinds.includes(k)}
                onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
              />
              {k}
            </label>
          ))}
          {dataset === undefined && <span className="muted">{t("grants.pickDatasetFirst")}</span>}
        </fieldset>
        <fieldset className="full">
          <legend>{t("grants.fields")}</legend>
          {(dataset?.fields ?? []).map((f) => (
            <label key={f.name} className="check">
              <input
                type="checkbox"
                name="field"
                value={f.name}
                checked={fields.includes(f.name)}
                onChange={(e) =>
                  setFields(e.target.checked ? [...fields, f.name] : fields.filter((x) => x !== f.name))
                }
              />
              {f.name}
            </label>
          ))}
          {dataset === undefined && <span className="muted">{t("grants.pickDatasetFirst")}</span>}
        </fieldset>
        <label htmlFor={`${id}-purpose`}>{t("grants.purpose")}</label>
        <input
          id={`${id}-purpose`}
          required
          maxLength={1024}
          value={purpose}
          onChange={(e) => setPurpose(e.target.value)}
        />
        <label htmlFor={`${id}-quota`}>{t("grants.quota")}</label>
        <input
          id={`${id}-quota`}
          type="number"
          min={1}
          step={1}
          required
          value={quota}
          onChange={(e) => setQuota(e.target.value)}
        />
        <label htmlFor={`${id}-expires`}>{t("grants.expires")}</label>
        <input
          id={`${id}-expires`}
          type="date"
          required
          min={inDays(1)}
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
        <div className="full">
          <button type="submit" disabled={issue.isPending || kinds.length === 0 || fields.length === 0}>
            {t("grants.issue")}
          </button>
        </div>
        {issue.error && (
          <div className="full">
            <ErrorNotice error={issue.error} />
          </div>
        )}
      </form>
    </section>
  );
}
