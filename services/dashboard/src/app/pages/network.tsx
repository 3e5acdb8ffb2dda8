import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { gql } from "../api/client.js";
import { NETWORK, type NetworkData } from "../api/documents.js";
import { Badge, ErrorNotice, Loading } from "../components/status.js";
import { formatCredits, formatTime, shortHash } from "../format.js";
import { localeOf } from "../i18n/index.js";

/** This peer's gateway liveness (`/healthz` on the same origin). */
async function gatewayHealth(): Promise<string> {
  const res = await fetch("/healthz");
  const body = (await res.json()) as { status?: string };
  return body.status ?? `HTTP ${res.status}`;
}

/** Regions and agencies, validators, the chain head, recent blocks and transactions, and this peer's health. */
export function NetworkPage() {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const net = useQuery({ queryKey: ["network"], queryFn: () => gql<NetworkData>(NETWORK) });
  const health = useQuery({ queryKey: ["health"], queryFn: gatewayHealth });
  if (net.isPending) return <Loading />;
  if (net.error) return <ErrorNotice error={net.error} />;
  const blocks = net.data.blocks.edges.map((e) => e.node);
  const txs = net.data.transactions.edges.map((e) => e.node);
  const agencies = net.data.regions.flatMap((r) => r.agencies.map((a) => ({ ...a, region: r.id })));
  const validators = agencies.filter((a) => a.roles.includes("VALIDATOR"));
  const lastProposed = (agency: string) => blocks.find((b) => b.proposer === agency)?.height;
  return (
    <>
      <h1>{t("network.title")}</h1>
      <section aria-labelledby="head-summary" className="cards">
        <h2 id="head-summary" className="visually-hidden">
          {t("network.summary")}
        </h2>
        <div className="card">
          <div className="label">{t("network.height")}</div>
          <div className="value" data-testid="height">
            {blocks[0]?.height ?? "—"}
          </div>
        </div>
        <div className="card">
          <div className="label">{t("network.regions")}</div>
          <div className="value">{net.data.regions.length}</div>
        </div>
        <div className="card">
          <div className="label">{t("network.agencies")}</div>
          <div className="value">{agencies.length}</div>
        </div>
        <div className="card">
          <div className="label">{t("network.validators")}</div>
          <div className="value">{validators.length}</div>
        </div>
        <div className="card">
          <div className="label">{t("network.health")}</div>
          <div className="value">
            {health.data === "ok" ? (
              <Badge tone="ok">{t("network.healthy")}</Badge>
            ) : (
              <Badge tone="bad">{health.data ?? t("network.unreachable")}</Badge>
            )}
          </div>
        </div>
      </section>

      <section aria-labelledby="agencies-title">
        <h2 id="agencies-title">{t("network.agenciesTitle")}</h2>
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("common.region")}</th>
                <th scope="col">{t("common.agency")}</th>
                <th scope="col">{t("network.roles")}</th>
                <th scope="col">{t("network.balance")}</th>
                <th scope="col">{t("network.lastProposed")}</th>
                <th scope="col">{t("common.status")}</th>
              </tr>
            </thead>
            <tbody>
              {agencies.map((a) => (
                <tr key={a.agencyId} data-agency={a.agencyId}>
                  <td>{a.region}</td>
                  <th scope="row">
                    {a.agencyId}
                    <div className="muted">{a.name}</div>
                  </th>
                  <td>{a.roles.map((r) => t(`roles.${r}`)).join(", ")}</td>
                  <td className="num">{a.account ? formatCredits(a.account.balance, locale) : "—"}</td>
                  <td className="num">
                    {a.roles.includes("VALIDATOR")
                      ? (lastProposed(a.agencyId) ?? t("network.notRecently"))
                      : "—"}
                  </td>
                  <td>
                    {a.frozen ? (
                      <Badge tone="bad">{t("common.frozen")}</Badge>
                    ) : (
                      <Badge tone="ok">{t("common.ok")}</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <div className="columns">
        <section aria-labelledby="blocks-title">
          <h2 id="blocks-title">{t("network.recentBlocks")}</h2>
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("network.blockHeight")}</th>
                  <th scope="col">{t("common.time")}</th>
                  <th scope="col">{t("network.proposer")}</th>
                  <th scope="col">{t("network.txCount")}</th>
                  <th scope="col">{t("common.hash")}</th>
                </tr>
              </thead>
              <tbody>
                {blocks.map((b) => (
                  <tr key={b.height}>
                    <td className="num">{b.height}</td>
                    <td>{formatTime(b.time, locale)}</td>
                    <td>{b.proposer}</td>
                    <td className="num">{b.txCount}</td>
                    <td>
                      <code title={b.hash}>{shortHash(b.hash)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="txs-title">
          <h2 id="txs-title">{t("network.recentTxs")}</h2>
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("network.blockHeight")}</th>
                  <th scope="col">{t("network.kind")}</th>
                  <th scope="col">{t("network.sender")}</th>
                  <th scope="col">{t("common.status")}</th>
                  <th scope="col">{t("common.hash")}</th>
                </tr>
              </thead>
              <tbody>
                {txs.map((x) => (
                  <tr key={x.hash}>
                    <td className="num">{x.height}</td>
                    <td>{x.kind}</td>
                    <td>{x.sender}</td>
                    <td>
                      {x.resultCode === null ? (
                        <Badge tone="ok">{t("tx.appliedShort")}</Badge>
                      ) : (
                        <Badge tone="bad">{x.resultCode}</Badge>
                      )}
                    </td>
                    <td>
                      <code title={x.hash}>{shortHash(x.hash)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}
