import { useTranslation } from "react-i18next";
import { NavLink, Route, Routes } from "react-router";
import { CreditOverview } from "./overview.js";
import { DataQuality } from "./quality.js";
import { CreditRankings } from "./rankings.js";
import { Redemption } from "./redemption.js";

const SECTIONS = [
  { to: "/credits", key: "credits.nav.overview" },
  { to: "/credits/rankings", key: "credits.nav.rankings" },
  { to: "/credits/quality", key: "credits.nav.quality" },
  { to: "/credits/redemption", key: "credits.nav.redemption" },
] as const;

/** 共票: this agency's balance and earnings, the rankings, the quality of data and the redemption catalog. */
export function CreditsPage({ agency }: { agency: string }) {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("credits.title")}</h1>
      <nav aria-label={t("credits.sections")} className="subpages">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.to}>
              <NavLink to={s.to} end>
                {t(s.key)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<CreditOverview agency={agency} />} />
        <Route path="rankings" element={<CreditRankings />} />
        <Route path="quality" element={<DataQuality />} />
        <Route path="redemption" element={<Redemption agency={agency} />} />
        <Route path="*" element={<p>{t("shell.notFound")}</p>} />
      </Routes>
    </>
  );
}
