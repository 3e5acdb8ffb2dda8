import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { GatewayCallError } from "../api/client.js";

/** A failed read or action, with the gateway's code (what people search the docs for) and its message. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const code = error instanceof GatewayCallError ? error.code : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="notice error" data-code={code}>
      <strong>{t("common.refused", { code })}</strong> {message}
    </p>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" aria-live="polite">
      {t("common.loading")}
    </p>
  );
}

/** A small coloured word for a state; the word itself carries the meaning, not the colour. */
export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "info"; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}
