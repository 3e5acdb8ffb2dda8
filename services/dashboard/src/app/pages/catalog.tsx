import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { readPages } from "../api/client.js";
import { CATALOG, type CatalogData, type CatalogDataset, type QueryKind } from "../api/documents.js";
import { Badge, ErrorNotice, Loading } from "../components/status.js";
import { formatCredits, formatPermille, shortHash } from "../format.js";
import { localeOf } from "../i18n/index.js";
import { CommitmentHistory } from "./commitment-history.js";

const KINDS: QueryKind[] = ["LOOKUP", "THRESHOLD", "MEMBERSHIP", "COUNT", "SUM", "FILTER"];

/**
 * One dataset: what it is, whose, its quality score, its fields and the commitment on the ledger with its
 * history (never rows).
 */
function DatasetCard({ d }: { d: CatalogDataset }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const percent = (v: number) => formatPermille(v, locale);
  return (
    <article className="dataset" aria-labelledby={`ds-${d.datasetId}`} data-dataset={d.datasetId}>
      <h2 id={`ds-${d.datasetId}`}>
        {d.title} <code>{d.datasetId}</code> {d.frozen && <Badge tone="bad">{t("common.frozen")}</Badge>}
      </h2>
      <p>{d.description}</p>
      <dl className="facts">
        <dt>{t("catalog.owner")}</dt>
        <dd>{d.owner.agencyId}</dd>
        <dt>{t("common.region")}</dt>
        <dd>{d.region}</dd>
        <dt>{t("catalog.kinds")}</dt>
        <dd>{d.queryKinds.join(", ")}</dd>
        <dt>{t("catalog.accesses")}</dt>
        <dd>{d.accessCount}</dd>
        <dt>{t("catalog.price")}</dt>
        <dd data-price={d.price}>{formatCredits(d.price, locale)} 共票</dd>
        <dt>{t("catalog.quality")}</dt>
        <dd data-quality={d.quality.score}>
          <meter min={0} max={1000} value={d.quality.score} aria-hidden="true" /> {percent(d.quality.score)}{" "}
          <span className="muted">
            {t("catalog.qualityParts", {
              freshness: percent(d.quality.freshness),
              completeness: percent(d.quality.completeness),
              success: percent(d.quality.success),
            })}
          </span>
        </dd>
        <dt>{t("catalog.commitment")}</dt>
        <dd>
          {d.commitment === null ? (
            t("catalog.noCommitment")
          ) : (
            <>
              {d.commitment.scheme} <code title={d.commitment.root}>{shortHash(d.commitment.root, 16)}</code>{" "}
              · {t("catalog.rows", { count: d.commitment.rowCount })} · v{d.commitment.version}
            </>
          )}
        </dd>
        {d.tags.length > 0 && (
          <>
            <dt>{t("catalog.tags")}</dt>
            <dd>{d.tags.join(", ")}</dd>
          </>
        )}
      </dl>
      <details>
        <summary>{t("catalog.schema", { count: d.fields.length })}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("catalog.field")}</th>
              <th scope="col">{t("catalog.type")}</th>
              <th scope="col">{t("catalog.indexed")}</th>
              <th scope="col">{t("catalog.personal")}</th>
            </tr>
          </thead>
          <tbody>
            {d.fields.map((f) => (
              <tr key={f.name}>
                <th scope="row">{f.name}</th>
                <td>{f.type}</td>
                <td>{f.indexed ? t("common.yes") : t("common.no")}</td>
                <td>{f.personal ? t("common.yes") : t("common.no")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {d.commitment !== null && <CommitmentHistory dataset={d.datasetId} versions={d.commitment.version} />}
    </article>
  );
}

/** The catalog of every agency's datasets, searched and filtered by the gateway (`catalog(filter:)`). */
export function CatalogPage() {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState("");
  const [region, setRegion] = useState("");
  const [kind, setKind] = useState("");
  const filter = {
    ...(text.trim() === "" ? {} : { text: text.trim() }),
    ...(region === "" ? {} : { region }),
    ...(kind === "" ? {} : { queryKind: kind }),
  };
  const read = (f: Record<string, string>) =>
    readPages(CATALOG, { filter: f }, (d: CatalogData) => d.catalog);
  const all = useQuery({ queryKey: ["catalog", {}], queryFn: () => read({}) });
  const found = useQuery({
    queryKey: ["catalog", filter],
    queryFn: () => read(filter),
    placeholderData: (previous) => previous,
  });
  const regions = [...new Set(all.data?.nodes.map((d) => d.region) ?? [])].sort();
  return (
    <>
      <h1>{t("catalog.title")}</h1>
      <search aria-label={t("catalog.filters")}>
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-text`}>{t("catalog.search")}</label>
          <input
            id={`${id}-text`}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t("catalog.searchHint")}
          />
          <label htmlFor={`${id}-region`}>{t("common.region")}</label>
          <select id={`${id}-region`} value={region} onChange={(e) => setRegion(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {regions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-kind`}>{t("catalog.kind")}</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </form>
      </search>
      {found.error && <ErrorNotice error={found.error} />}
      {found.isPending ? (
        <Loading />
      ) : (
        <>
          <p aria-live="polite" data-testid="catalog-count">
            {t("catalog.count", { count: found.data?.first?.catalog.totalCount ?? 0 })}
          </p>
          {found.data?.nodes.map((d) => (
            <DatasetCard key={d.datasetId} d={d} />
          ))}
        </>
      )}
    </>
  );
}
