import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { gql, readPages } from "../../api/client.js";
import {
  ACCOUNTS,
  type AccountsData,
  CREDIT_OVERVIEW,
  type CreditOverviewData,
} from "../../api/credits-documents.js";
import { DataTable } from "../../components/data-table.js";
import { Badge, ErrorNotice, Loading } from "../../components/status.js";
import { earningsPerEpoch, formatCredits, formatPermille, supplyHeld } from "../../format.js";
import { localeOf } from "../../i18n/index.js";

/** This agency's balance, the network's credit supply with its conservation, and what the agency earned per epoch. */
export function CreditOverview({ agency }: { agency: string }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const overview = useQuery({
    queryKey: ["credit-overview", agency],
    queryFn: () => gql<CreditOverviewData>(CREDIT_OVERVIEW, { agency }),
  });
  if (overview.isPending) return <Loading />;
  if (overview.error) return <ErrorNotice error={overview.error} />;
  const { account, creditSupply: supply, creditHistory: history } = overview.data;
  const credits = (v: string) => formatCredits(v, locale);
  return (
    <>
      <p className="muted">{t("credits.explain")}</p>
      <section aria-labelledby="supply-title" className="cards">
        <h2 id="supply-title" className="visually-hidden">
          {t("credits.supplyTitle")}
        </h2>
        <div className="card">
          <div className="label">{t("credits.ownBalance")}</div>
          <div className="value" data-testid="own-balance" data-value={account?.balance ?? ""}>
            {account ? credits(account.balance) : t("credits.noAccount")}
          </div>
        </div>
        {(["circulating", "genesis", "minted", "burned", "escrow"] as const).map((k) => (
          <div className="card" key={k}>
            <div className="label">{t(`credits.${k}`)}</div>
            <div className="value" data-testid={`supply-${k}`}>
              {credits(supply[k])}
            </div>
          </div>
        ))}
      </section>
      <Conservation />
      <section aria-labelledby="earnings-title">
        <h2 id="earnings-title">{t("credits.earningsTitle")}</h2>
        {history.length > 0 && (
          <div aria-hidden="true" className="chart">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={earningsPerEpoch(history)}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="epoch" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar
                  dataKey="reward"
                  name={t("credits.reward")}
                  stackId="earned"
                  fill="#1f6feb"
                  isAnimationActive={false}
                />
                <Bar
                  dataKey="fees"
                  name={t("credits.fees")}
                  stackId="earned"
                  fill="#2b8a3e"
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
        <DataTable
          testId="credit-history"
          empty={t("credits.noEpochs")}
          rows={history}
          rowKey={(h) => String(h.epoch)}
          rowData={(h) => ({ "data-epoch": String(h.epoch) })}
          columns={[
            {
              key: "epoch",
              header: t("credits.epoch"),
              cell: (h) => h.epoch,
              rowHeader: true,
              numeric: true,
            },
            { key: "height", header: t("credits.settledAt"), cell: (h) => h.height, numeric: true },
            { key: "rank", header: t("credits.rank"), cell: (h) => h.line.rank, numeric: true },
            {
              key: "reward",
              header: t("credits.reward"),
              cell: (h) => credits(h.line.reward),
              numeric: true,
            },
            { key: "fees", header: t("credits.fees"), cell: (h) => credits(h.line.fees), numeric: true },
            {
              key: "consumers",
              header: t("credits.consumers"),
              cell: (h) => h.line.consumers,
              numeric: true,
            },
            { key: "receipts", header: t("credits.receipts"), cell: (h) => h.line.receipts, numeric: true },
            {
              key: "quality",
              header: t("credits.quality"),
              cell: (h) => formatPermille(h.line.quality, locale),
              numeric: true,
            },
            { key: "score", header: t("credits.score"), cell: (h) => h.line.score, numeric: true },
          ]}
        />
      </section>
    </>
  );
}

/**
 * Σ balances, summed here over every account, + escrow against the supply's circulating figure, both read in one
 * request (a chain longer than one page of accounts may see a block between pages, and then says it differs).
 */
function Conservation() {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const accounts = useQuery({
    queryKey: ["accounts"],
    queryFn: () => readPages(ACCOUNTS, {}, (d: AccountsData) => d.accounts, 20),
  });
  if (accounts.error) return <ErrorNotice error={accounts.error} />;
  if (accounts.isPending) return <Loading />;
  const balances = accounts.data.nodes.map((a) => a.balance);
  const supply = accounts.data.first?.creditSupply;
  const holds = supply !== undefined && !accounts.data.truncated && supplyHeld(balances, supply).holds;
  const held = supply === undefined ? "?" : supplyHeld(balances, supply).held;
  return (
    <p data-testid="conservation" data-holds={String(holds)}>
      {t("credits.held", { count: balances.length, held: formatCredits(held, locale) })}{" "}
      {holds ? (
        <Badge tone="ok">{t("credits.conserved")}</Badge>
      ) : (
        <Badge tone="bad">{t("credits.notConserved")}</Badge>
      )}
      <br />
      <span className="muted">{t("credits.genesisDerived")}</span>
    </p>
  );
}
