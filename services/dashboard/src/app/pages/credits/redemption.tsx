import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { gql } from "../../api/client.js";
import { REDEMPTION, type RedemptionData, type Voucher } from "../../api/credits-documents.js";
import { type Column, DataTable } from "../../components/data-table.js";
import { ErrorNotice, Loading } from "../../components/status.js";
import { formatCredits, formatTime } from "../../format.js";
import { localeOf } from "../../i18n/index.js";

/** What credits can be redeemed for, and the vouchers this agency holds and issued. */
export function Redemption({ agency }: { agency: string }) {
  const { t, i18n } = useTranslation();
  const locale = localeOf(i18n.language);
  const data = useQuery({
    queryKey: ["redemption", agency],
    queryFn: () => gql<RedemptionData>(REDEMPTION, { agency }),
  });
  if (data.isPending) return <Loading />;
  if (data.error) return <ErrorNotice error={data.error} />;
  const credits = (v: string) => formatCredits(v, locale);
  const voucherColumns = (party: "issuer" | "holder"): Column<Voucher>[] => [
    { key: "id", header: t("credits.voucher"), cell: (v) => <code>{v.id}</code>, rowHeader: true },
    { key: "offer", header: t("credits.offer"), cell: (v) => v.offer },
    { key: party, header: t(`credits.${party}`), cell: (v) => v[party] },
    { key: "quantity", header: t("credits.quantity"), cell: (v) => v.quantity, numeric: true },
    { key: "amount", header: t("credits.amount"), cell: (v) => credits(v.amount), numeric: true },
    { key: "reference", header: t("credits.reference"), cell: (v) => v.reference },
    {
      key: "time",
      header: t("common.time"),
      cell: (v) => `${formatTime(v.time, locale)} · ${t("regulator.height", { height: v.height })}`,
    },
  ];
  return (
    <>
      <section aria-labelledby="offers-title">
        <h2 id="offers-title">{t("credits.offersTitle")}</h2>
        <DataTable
          testId="offers"
          empty={t("credits.noOffers")}
          rows={data.data.redemptionCatalog}
          rowKey={(o) => o.id}
          rowData={(o) => ({ "data-offer": o.id })}
          columns={[
            {
              key: "title",
              header: t("credits.offer"),
              rowHeader: true,
              cell: (o) => (
                <>
                  {o.title} <code>{o.id}</code>
                  <div className="muted">{o.description}</div>
                </>
              ),
            },
            { key: "issuer", header: t("credits.issuer"), cell: (o) => o.issuer },
            { key: "price", header: t("credits.price"), cell: (o) => credits(o.price), numeric: true },
            { key: "stock", header: t("credits.stock"), cell: (o) => o.stock, numeric: true },
            { key: "redeemed", header: t("credits.redeemed"), cell: (o) => o.redeemed, numeric: true },
          ]}
        />
        <p className="muted">{t("credits.redeemHint")}</p>
      </section>
      <section aria-labelledby="held-title">
        <h2 id="held-title">{t("credits.heldTitle")}</h2>
        <DataTable
          testId="vouchers-held"
          empty={t("common.none")}
          rows={data.data.held}
          rowKey={(v) => v.id}
          columns={voucherColumns("issuer")}
        />
      </section>
      <section aria-labelledby="issued-title">
        <h2 id="issued-title">{t("credits.issuedTitle")}</h2>
        <DataTable
          testId="vouchers-issued"
          empty={t("common.none")}
          rows={data.data.issued}
          rowKey={(v) => v.id}
          columns={voucherColumns("holder")}
        />
      </section>
    </>
  );
}
