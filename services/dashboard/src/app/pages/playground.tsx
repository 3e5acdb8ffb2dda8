import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { GatewayCallError, gql, readPages } from "../api/client.js";
import {
  ACCESS_LOG,
  type AccessLogData,
  type AnswerView,
  type AskData,
  askDocument,
  type DatasetView,
  type GrantView,
  type QueryKind,
  RECEIVED_GRANTS,
  type ReceivedGrantsData,
} from "../api/documents.js";
import { RecordingBadge } from "../components/receipt-status.js";
import { Badge, ErrorNotice, Loading } from "../components/status.js";
import { shortHash } from "../format.js";

type Held = GrantView & { dataset: DatasetView };
const OPS = ["GTE", "LTE", "EQ", "RANGE"] as const;

/** The variables of one kind's question, from the form's text fields. */
function questionOf(
  kind: QueryKind,
  f: Record<string, string>,
  lookupFields: string[],
): Record<string, unknown> {
  const predicate = {
    field: f.field,
    op: f.op,
    value: f.value,
    ...(f.op === "RANGE" ? { upper: f.upper } : {}),
  };
  switch (kind) {
    case "LOOKUP":
      return { key: f.key, fields: lookupFields };
    case "THRESHOLD":
      return { key: f.key, ...predicate };
    case "MEMBERSHIP":
      return { key: f.key };
    case "COUNT":
      return { field: f.field, from: f.from, to: f.to };
    case "SUM":
      return { field: f.field, from: f.from, to: f.to, sumField: f.sumField };
    case "FILTER":
      return {
        where: [predicate],
        aggregate: f.aggregate,
        ...(f.aggregate === "SUM" ? { sumField: f.sumField } : {}),
      };
  }
}

/** Ask another agency: pick a grant this agency holds, a kind and its parameters; see the proved answer. */
export function PlaygroundPage() {
  const { t } = useTranslation();
  const id = useId();
  const held = useQuery({
    queryKey: ["received-active"],
    queryFn: () => readPages(RECEIVED_GRANTS, {}, (d: ReceivedGrantsData) => d.grants),
  });
  const [grantId, setGrantId] = useState("");
  const [kind, setKind] = useState<QueryKind | "">("");
  const [form, setForm] = useState<Record<string, string>>({ op: "GTE", aggregate: "COUNT" });
  const [lookupFields, setLookupFields] = useState<string[]>([]);
  const grants = (held.data?.nodes ?? []).filter((g): g is Held => g.dataset !== null);
  const grant = grants.find((g) => g.grantId === grantId);
  const kinds = grant ? grant.queryKinds.filter((k) => grant.dataset.queryKinds.includes(k)) : [];
  const ask = useMutation({
    mutationFn: async (): Promise<{ answer: AnswerView; askedAt: string; grant: string }> => {
      if (!grant || kind === "") throw new GatewayCallError("BAD_USER_INPUT", t("playground.pickFirst"));
      const askedAt = new Date(Date.now() - 60_000).toISOString();
      const data = await gql<AskData>(askDocument(kind), {
        region: grant.dataset.owner.region.id,
        owner: grant.dataset.owner.agencyId,
        dataset: grant.dataset.datasetId,
        grant: grant.grantId,
        ...questionOf(kind, form, lookupFields),
      });
      const answer = data.region?.agency?.dataset?.answer;
      if (answer === undefined) throw new GatewayCallError("NOT_FOUND", t("playground.datasetGone"));
      return { answer, askedAt, grant: grant.grantId };
    },
  });
  const set = (name: string) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  const text = (name: string, label: string, required = true) => (
    <>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        name={name}
        required={required}
        value={form[name] ?? ""}
        onChange={set(name)}
      />
    </>
  );
  const fieldSelect = (name: string, label: string, indexedOnly: boolean) => (
    <>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <select id={`${id}-${name}`} name={name} required value={form[name] ?? ""} onChange={set(name)}>
        <option value="">{t("common.choose")}</option>
        {grant?.dataset.fields
          .filter((f) => !indexedOnly || f.indexed)
          .map((f) => (
            <option key={f.name} value={f.name}>
              {f.name} ({f.type})
            </option>
          ))}
      </select>
    </>
  );
  const predicate = (
    <>
      {fieldSelect("field", t("playground.field"), false)}
      <label htmlFor={`${id}-op`}>{t("playground.op")}</label>
      <select id={`${id}-op`} value={form.op} onChange={set("op")}>
        {OPS.map((o) => (
          <option key={o} value={o}>
            {t(`playground.ops.${o}`)}
          </option>
        ))}
      </select>
      {text("value", t("playground.value"))}
      {form.op === "RANGE" && text("upper", t("playground.upper"))}
    </>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ask.mutate();
  };
  return (
    <>
      <h1>{t("playground.title")}</h1>
      <p>
        {t("playground.graphiqlIntro")} <a href="/graphql">{t("playground.graphiql")}</a> (
        {t("playground.devOnly")})
      </p>
      {held.error && <ErrorNotice error={held.error} />}
      {held.isPending ? (
        <Loading />
      ) : grants.length === 0 ? (
        <p className="muted">{t("playground.noGrants")}</p>
      ) : (
        <section aria-labelledby={`${id}-title`} className="panel">
          <h2 id={`${id}-title`}>{t("playground.askTitle")}</h2>
          <form className="grid-form" onSubmit={submit}>
            <label htmlFor={`${id}-grant`}>{t("playground.grant")}</label>
            <select
              id={`${id}-grant`}
              required
              value={grantId}
              onChange={(e) => {
                setGrantId(e.target.value);
                setKind("");
                ask.reset();
              }}
            >
              <option value="">{t("common.choose")}</option>
              {grants.map((g) => (
                <option key={g.grantId} value={g.grantId}>
                  {g.dataset.datasetId} ({g.grantor}) · {g.queryKinds.join("/")} · {g.used}/{g.quota} ·{" "}
                  {g.grantId.slice(0, 8)}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-kind`}>{t("playground.kind")}</label>
            <select
              id={`${id}-kind`}
              required
              value={kind}
              onChange={(e) => setKind(e.target.value as QueryKind)}
            >
              <option value="">{t("common.choose")}</option>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
            {(kind === "LOOKUP" || kind === "THRESHOLD" || kind === "MEMBERSHIP") &&
              text("key", t("playground.key"))}
            {kind === "LOOKUP" && (
              <fieldset className="full">
                <legend>{t("playground.lookupFields")}</legend>
                {grant?.dataset.fields
                  .filter((f) => !f.personal && (grant.fields.length === 0 || grant.fields.includes(f.name)))
                  .map((f) => (
                    <label key={f.name} className="check">
                      <input
                        type="checkbox"
                        checked={lookupFields.includes(f.name)}
                        onChange={(e) =>
                          setLookupFields(
                            e.target.checked
                              ? [...lookupFields, f.name]
                              : lookupFields.filter((x) => x !== f.name),
                          )
                        }
                      />
                      {f.name}
                    </label>
                  ))}
              </fieldset>
            )}
            {(kind === "THRESHOLD" || kind === "FILTER") && predicate}
            {(kind === "COUNT" || kind === "SUM") && (
              <>
                {fieldSelect("field", t("playground.field"), true)}
                {text("from", t("playground.from"))}
                {text("to", t("playground.to"))}
              </>
            )}
            {kind === "FILTER" && (
              <>
                <label htmlFor={`${id}-aggregate`}>{t("playground.aggregate")}</label>
                <select id={`${id}-aggregate`} value={form.aggregate} onChange={set("aggregate")}>
                  <option value="COUNT">COUNT</option>
                  <option value="SUM">SUM</option>
                </select>
              </>
            )}
            {(kind === "SUM" || (kind === "FILTER" && form.aggregate === "SUM")) &&
              fieldSelect("sumField", t("playground.sumField"), false)}
            <div className="full">
              <button type="submit" disabled={ask.isPending || kind === ""}>
                {ask.isPending ? t("playground.asking") : t("playground.ask")}
              </button>
            </div>
          </form>
        </section>
      )}
      {ask.error && <ErrorNotice error={ask.error} />}
      {ask.data && <AnswerPanel {...ask.data} />}
    </>
  );
}

/** The answer, how it was verified, and whether the provider's receipt is on the ledger yet. */
function AnswerPanel({ answer, askedAt, grant }: { answer: AnswerView; askedAt: string; grant: string }) {
  const { t } = useTranslation();
  const receipt = useQuery({
    queryKey: ["receipt", answer.receipt.id],
    queryFn: async () => {
      const log = await gql<AccessLogData>(ACCESS_LOG, {
        filter: { role: "RECEIVED", grantId: grant, from: askedAt },
      });
      return log.accessLog.edges.find((e) => e.node.receiptId === answer.receipt.id)?.node ?? null;
    },
    refetchInterval: (q) => (q.state.data ? false : 2_000),
  });
  const result =
    answer.count !== undefined
      ? answer.sum !== undefined && answer.sum !== null
        ? t("playground.countSum", { count: answer.count, sum: answer.sum })
        : t("playground.countIs", { count: answer.count })
      : answer.holds !== undefined
        ? answer.holds
          ? t("common.yes")
          : t("common.no")
        : answer.member !== undefined
          ? answer.member
            ? t("playground.member")
            : t("playground.notMember")
          : answer.found
            ? (answer.fields ?? []).map((f) => `${f.name} = ${f.value ?? "∅"}`).join(", ")
            : t("playground.notFound");
  return (
    <section aria-labelledby="answer-title" className="panel answer" aria-live="polite">
      <h2 id="answer-title">{t("playground.answer")}</h2>
      <dl className="facts">
        <dt>{t("playground.result")}</dt>
        <dd data-testid="answer-result">{result}</dd>
        <dt>{t("playground.verification")}</dt>
        <dd data-testid="answer-verified" data-verified={answer.proof?.verified === true}>
          {answer.proof === null ? (
            <Badge tone="info">{t("playground.noProof")}</Badge>
          ) : answer.proof.verified ? (
            <Badge tone="ok">{t("playground.verified")}</Badge>
          ) : (
            <Badge tone="bad">{t("playground.notVerified")}</Badge>
          )}
        </dd>
        {answer.proof && (
          <>
            <dt>{t("playground.proof")}</dt>
            <dd>
              {answer.proof.system} · {answer.proof.circuit} · {t("catalog.commitment")}{" "}
              <code title={answer.proof.commitment}>{shortHash(answer.proof.commitment, 16)}</code>
            </dd>
          </>
        )}
        <dt>{t("log.receipt")}</dt>
        <dd
          data-testid="answer-receipt"
          data-receipt={answer.receipt.id}
          data-recorded={receipt.data ? "yes" : "no"}
        >
          <code title={answer.receipt.id}>{shortHash(answer.receipt.id)}</code>{" "}
          {receipt.data ? (
            <RecordingBadge receipt={receipt.data} />
          ) : (
            <Badge tone="warn">{t("playground.receiptPending")}</Badge>
          )}
        </dd>
      </dl>
    </section>
  );
}
