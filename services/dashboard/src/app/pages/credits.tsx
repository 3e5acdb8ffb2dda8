import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { gql } from "../api/client.js";
import { CREDITS, type CreditsData, type RankingEntry } from "../api/documents.js";
import { ErrorNotice, Loading } from "../components/status.js";
import { formatCredits } from "../format.js";
import { localeOf } from "../i18n/index.js";

/** One leaderboard: a table (what screen readers read) and the same numbers as bars. */
function Leaderboard({
  id,
  title,
  entries,
  unit,
}: {
  id: string;
  title: string;
  entries: RankingEntry[];
  unit: string;
}) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const bars = entries.map((e) => ({ subject: e.subject, value: Number(e.value) }));
  return (
    <section aria-labelledby={id} className="board">
      <h2 id={id}>{title}</h2>
      <table data-testid={id}>
        <thead>
          <tr>
            <th scope="col">{t("credits.rank")}</th>
            <th scope="col">{t("credits.subject")}</th>
            <th scope="col" className="num">
              {unit}
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.subject} data-subject={e.subject}>
              <td className="num">{e.rank}</td>
              <th scope="row">{e.subject}</th>
              <td className="num" data-value={e.value}>
                {formatCredits(e.value, locale)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div aria-hidden="true">
        <ResponsiveContainer width="100%" height={40 + 28 * bars.length}>
          <BarChart data={bars} layout="vertical" margin={{ left: 40 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="subject" width={150} />
            <Tooltip />
            <Bar dataKey="value" name={unit} fill="#1f6feb" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** 共票 balances and the leaderboards of agencies and regions, by credits and by answered accesses. */
export function CreditsPage() {
  const { t } = useTranslation();
  const credits = useQuery({ queryKey: ["credits"], queryFn: () => gql<CreditsData>(CREDITS) });
  if (credits.isPending) return <Loading />;
  if (credits.error) return <ErrorNotice error={credits.error} />;
  const d = credits.data;
  return (
    <>
      <h1>{t("credits.title")}</h1>
      <p className="muted">{t("credits.explain")}</p>
      <div className="columns">
        <Leaderboard
          id="credits-agency"
          title={t("credits.byAgency")}
          entries={d.creditsByAgency}
          unit={t("credits.balance")}
        />
        <Leaderboard
          id="credits-region"
          title={t("credits.byRegion")}
          entries={d.creditsByRegion}
          unit={t("credits.balance")}
        />
      </div>
      <div className="columns">
        <Leaderboard
          id="contributions-agency"
          title={t("credits.contributionsByAgency")}
          entries={d.contributionsByAgency}
          unit={t("credits.accesses")}
        />
        <Leaderboard
          id="contributions-region"
          title={t("credits.contributionsByRegion")}
          entries={d.contributionsByRegion}
          unit={t("credits.accesses")}
        />
      </div>
    </>
  );
}
