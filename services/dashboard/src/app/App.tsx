import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Navigate, NavLink, Route, Routes } from "react-router";
import { gql } from "./api/client.js";
import { SELF, type SelfData } from "./api/documents.js";
import { ErrorNotice, Loading } from "./components/status.js";
import { LANGUAGES } from "./i18n/index.js";
import { AccessLogPage } from "./pages/access-log.js";
import { AuditPage } from "./pages/audit/index.js";
import { CatalogPage } from "./pages/catalog.js";
import { CreditsPage } from "./pages/credits/index.js";
import { GrantsPage } from "./pages/grants.js";
import { NetworkPage } from "./pages/network.js";
import { PlaygroundPage } from "./pages/playground.js";
import { RegulatorPage } from "./pages/regulator.js";

const PAGES = [
  { path: "network", key: "nav.network" },
  { path: "catalog", key: "nav.catalog" },
  { path: "grants", key: "nav.grants" },
  { path: "access-log", key: "nav.accessLog" },
  { path: "credits", key: "nav.credits" },
  { path: "playground", key: "nav.playground" },
  { path: "audit", key: "nav.audit" },
] as const;

/** The shell: who this gateway serves, the pages, the language; every page reads this agency's `/graphql`. */
export function App() {
  const { t, i18n } = useTranslation();
  const self = useQuery({ queryKey: ["self"], queryFn: () => gql<SelfData>(SELF), refetchInterval: 15_000 });
  const regulator = self.data?.self.roles.includes("REGULATOR") ?? false;
  const agency = self.data?.self.agencyId ?? "";
  return (
    <>
      <a className="skip" href="#main">
        {t("shell.skip")}
      </a>
      <header className="top">
        <div className="brand">
          <span className="title">{t("shell.title")}</span>
          {self.data && (
            <span className="agency" data-testid="self">
              {self.data.self.agencyId} · {self.data.self.name} · {self.data.self.region.id}
            </span>
          )}
        </div>
        <label className="language">
          {t("shell.language")}{" "}
          <select value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </header>
      <nav aria-label={t("shell.pages")} className="pages">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <NavLink to={`/${p.path}`}>{t(p.key)}</NavLink>
            </li>
          ))}
          {regulator && (
            <li>
              <NavLink to="/regulator">{t("nav.regulator")}</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {self.error && <ErrorNotice error={self.error} />}
        {self.isPending ? (
          <Loading />
        ) : (
          <Routes>
            <Route index element={<Navigate to="/network" replace />} />
            <Route path="network" element={<NetworkPage />} />
            <Route path="catalog" element={<CatalogPage />} />
            <Route path="grants" element={<GrantsPage />} />
            <Route path="access-log" element={<AccessLogPage />} />
            <Route path="credits/*" element={<CreditsPage agency={agency} />} />
            <Route path="playground" element={<PlaygroundPage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="regulator" element={<RegulatorPage isRegulator={regulator} agency={agency} />} />
            <Route path="*" element={<p>{t("shell.notFound")}</p>} />
          </Routes>
        )}
      </main>
    </>
  );
}
