// Reading an audit report (`coken-audit-report/1`, written by `coken audit --report` and by the peer's
// `auditChain`) from text a person hands the page: parsed into the auditor's own type, or refused with the first
// field that is wrong. Pure: unit-tested in test/audit-report.test.ts.
import type { Anomaly, AuditReport, Discrepancy } from "@coken/auditor";

export const REPORT_FORMAT = "coken-audit-report/1";

export type ReportErrorCode = "NOT_JSON" | "NOT_A_REPORT" | "BAD_FIELD";

export class ReportError extends Error {
  override readonly name = "ReportError";
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Check<T> = (value: unknown, at: string) => T;

const bad = (at: string, expected: string): never => {
  throw new ReportError("BAD_FIELD", `${at}: expected ${expected}`);
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const str: Check<string> = (v, at) => (typeof v === "string" ? v : bad(at, "a string"));
const int: Check<number> = (v, at) =>
  typeof v === "number" && Number.isSafeInteger(v) ? v : bad(at, "an integer");
const bool: Check<boolean> = (v, at) => (typeof v === "boolean" ? v : bad(at, "true or false"));
const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, at) =>
    v === undefined ? undefined : check(v, at);
const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (v, at) =>
    v === null ? null : check(v, at);
const list =
  <T>(check: Check<T>): Check<T[]> =>
  (v, at) =>
    Array.isArray(v) ? v.map((x, i) => check(x, `${at}[${i}]`)) : bad(at, "a list");
const record =
  <T>(check: Check<T>): Check<Record<string, T>> =>
  (v, at) =>
    isObject(v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, check(x, `${at}.${k}`)]))
      : bad(at, "an object");
/** An object with these fields (others ignored; an optional field left out stays out). */
const object =
  <S extends Record<string, Check<unknown>>>(shape: S): Check<{ [K in keyof S]: ReturnType<S[K]> }> =>
  (v, at) => {
    if (!isObject(v)) return bad(at, "an object");
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape)) {
      const x = check(v[k], `${at}.${k}`);
      if (x !== undefined) out[k] = x;
    }
    return out as { [K in keyof S]: ReturnType<S[K]> };
  };

const counts = object({ asked: int, answered: int });

// Codes and kinds stay open strings: a report of a newer auditor still reads, its new codes shown as they are.
const SHAPE = {
  format: str,
  ok: bool,
  chain: str,
  genesisHash: str,
  height: int,
  verifiedHeight: int,
  appHash: str,
  source: object({ kind: str, name: str, digest: optional(nullable(str)) }),
  auditedAt: str,
  discrepancies: list(
    object({ code: str, height: int, tx: optional(int), receipt: optional(str), reason: str }),
  ),
  discrepancyCount: int,
  stats: object({
    blocks: int,
    txs: int,
    refused: record(int),
    receipts: object({ acknowledged: int, attested: int, disputed: int }),
    proofs: object({ verified: int, failed: int, missing: int, notRequired: int }),
    byAgency: record(record(counts)),
    byRegion: record(record(counts)),
    grants: record(
      object({
        grant: str,
        dataset: str,
        grantor: str,
        grantee: str,
        quota: int,
        receipts: int,
        used: int,
      }),
    ),
    anomalies: list(
      object({
        kind: str,
        height: int,
        tx: optional(int),
        receipt: optional(str),
        grant: optional(str),
        agency: optional(str),
        detail: str,
      }),
    ),
    anomalyCounts: record(int),
    freezes: list(object({ height: int, time: int, action: str, kind: str, id: str, reason: str, by: str })),
    settlements: list(object({ epoch: int, height: int })),
  }),
} satisfies Record<keyof AuditReport, Check<unknown>>;

/** The report in `text`, or a ReportError: not JSON, not an audit report, or the first field that is wrong. */
export function parseAuditReport(text: string): AuditReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReportError("NOT_JSON", "the file is not JSON");
  }
  if (!isObject(value) || value.format !== REPORT_FORMAT)
    throw new ReportError("NOT_A_REPORT", `not an audit report of format ${REPORT_FORMAT}`);
  // The shape checked above is AuditReport's, with its code and kind unions read as open strings.
  return object(SHAPE)(value, "$") as AuditReport;
}

/** Discrepancies with code `code` ("" for all). */
export function discrepanciesOf(r: AuditReport, code: string): Discrepancy[] {
  return r.discrepancies.filter((d) => code === "" || d.code === code);
}

/** Anomalies of kind `kind` ("" for all) whose agency, grant or receipt contains `text` (case-insensitive). */
export function anomaliesOf(r: AuditReport, kind: string, text: string): Anomaly[] {
  const needle = text.trim().toLowerCase();
  return r.stats.anomalies.filter(
    (a) =>
      (kind === "" || a.kind === kind) &&
      (needle === "" ||
        [a.agency, a.grant, a.receipt].some((x) => x?.toLowerCase().includes(needle) === true)),
  );
}
