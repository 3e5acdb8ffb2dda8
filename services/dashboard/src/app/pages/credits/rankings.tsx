import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { gql } from "../../api/client.js";
import {
  type EpochStanding,
  RANKINGS,
  type RankingEntry,
  type RankingsData,
  STANDING,
  type StandingData,
  type StandingLine,
} from "../../api/credits-documents.js";
import { type Column, DataTable } from "../../components/data-table.js";
import { ErrorNotice, Loading } from "../../components/status.js";
import { formatCredits, formatPermille, formatTime } from "../../format.js";
import { localeOf } from "../../i18n/index.js";

/** How many settled epochs back the standing can be chosen. */
const EPOCHS_BACK = 12;

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
      <h3 id={id}>{title}</h3>
      <DataTable
        testId={id}
        rows={entries}
        rowKey={(e) => e.subject}
        rowData={(e) => ({ "data-subject": e.subject })}
        columns={[
          { key: "rank", header: t("credits.rank"), cell: (e) => e.rank, numeric: true },
          { key: "subject", header: t("credits.subject"), cell: (e) => e.subject, rowHeader: true },
          {
            key: "value",
            header: unit,
            numeric: true,
            cell: (e) => <span data-value={e.value}>{formatCredits(e.value, locale)}</span>,
          },
        ]}
      />
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

/** Current balances and answered accesses ranked by agency and region, then a settled epoch's standing. */
export function CreditRankings() {
  const { t } = useTranslation();
  const rankings = useQuery({ queryKey: ["rankings"], queryFn: () => gql<RankingsData>(RANKINGS) });
  if (rankings.isPending) return <Loading />;
  if (rankings.error) return <ErrorNotice error={rankings.error} />;
  const d = rankings.data;
  return (
    <>
      <h2>{t("credits.currentTitle")}</h2>
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
      <Standing />
    </>
  );
}

/** The standing of a settled epoch (the latest by default): agencies and regions ranked by their tournament score. */
function Standing() {
  const { t } = useTranslation();
  const id = useId();
  const [epoch, setEpoch] = useState<number | null>(null);
  const latest = useQuery({
    queryKey: ["standing", null],
    queryFn: () => gql<StandingData>(STANDING, { epoch: null }),
  });
  const chosen = useQuery({
    queryKey: ["standing", epoch],
    queryFn: () => gql<StandingData>(STANDING, { epoch }),
    enabled: epoch !== null,
  });
  const newest = latest.data?.standing?.epoch ?? null;
  const s = epoch === null ? latest.data?.standing : chosen.data?.standing;
  const error = latest.error ?? chosen.error;
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("credits.standingTitle")}</h2>
      {newest !== null && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-epoch`}>{t("credits.epoch")}</label>
          <select
            id={`${id}-epoch`}
            value={epoch ?? ""}
            onChange={(e) => setEpoch(e.target.value === "" ? null : Number(e.target.value))}
          >
            <option value="">
              {t("credits.latest")} ({newest})
            </option>
            {Array.from({ length: Math.min(EPOCHS_BACK, newest) }, (_, i) => newest - 1 - i).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </form>
      )}
      {error && <ErrorNotice error={error} />}
      {latest.isPending || (epoch !== null && chosen.isPending) ? (
        <Loading />
      ) : s == null ? (
        <p className="muted">{t("credits.noStanding")}</p>
      ) : (
        <StandingTables standing={s} />
      )}
    </section>
  );
}

/** The figures an agency's line and a region's line share. */
type LineFigures = Pick<StandingLine, "reward" | "fees" | "consumers" | "quality" | "score">;

function StandingTables({ standing: s }: { standing: EpochStanding }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const credits = (v: string) => formatCredits(v, locale);
  const earned: Column<LineFigures>[] = [
    { key: "reward", header: t("credits.reward"), cell: (l) => credits(l.reward), numeric: true },
    { key: "fees", header: t("credits.fees"), cell: (l) => credits(l.fees), numeric: true },
  ];
  const figures: Column<LineFigures>[] = [
    { key: "consumers", header: t("credits.consumers"), cell: (l) => l.consumers, numeric: true },
    {
      key: "quality",
      header: t("credits.quality"),
      cell: (l) => formatPermille(l.quality, locale),
      numeric: true,
    },
    { key: "score", header: t("credits.score"), cell: (l) => l.score, numeric: true },
  ];
  return (
    <>
      <p data-testid="standing-summary" data-epoch={s.epoch}>
        {t("credits.standingSummary", {
          epoch: s.epoch,
          height: s.height,
          time: formatTime(s.time, locale),
          minted: formatCredits(s.minted, locale),
        })}
      </p>
      <h3>{t("credits.agencies")}</h3>
      <DataTable<EpochStanding["agencies"][number]>
        testId="standing-agencies"
        rows={s.agencies}
        rowKey={(l) => l.agency}
        rowData={(l) => ({ "data-agency": l.agency })}
        columns={[
          { key: "rank", header: t("credits.rank"), cell: (l) => l.rank, numeric: true },
          { key: "agency", header: t("common.agency"), cell: (l) => l.agency, rowHeader: true },
          { key: "region", header: t("common.region"), cell: (l) => l.region },
          ...earned,
          { key: "receipts", header: t("credits.receipts"), cell: (l) => l.receipts, numeric: true },
          ...figures,
        ]}
      />
      <h3>{t("credits.regions")}</h3>
      <DataTable<EpochStanding["regions"][number]>
        testId="standing-regions"
        rows={s.regions}
        rowKey={(l) => l.region}
        columns={[
          { key: "rank", header: t("credits.rank"), cell: (l) => l.rank, numeric: true },
          { key: "region", header: t("common.region"), cell: (l) => l.region, rowHeader: true },
          { key: "agencies", header: t("credits.agencies"), cell: (l) => l.agencies, numeric: true },
          ...earned,
          ...figures,
        ]}
      />
    </>
  );
}
