import { columns } from "./columns.js";
import { type Command, flag, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";
import { baseUrl, errorOf, RemoteError, requestJson } from "./remote-api.js";

// `coken dataset status`: where a peer's own proved datasets stand (rebuilt, proving, well-formedness evidence and
// its progress) and the others' evidence it verified, is verifying or refused as an asker (`GET /v1/datasets`).

interface Evidence {
  state?: string;
  done?: number;
  chunks?: number;
  code?: string;
}

interface DatasetsView {
  proved?: {
    dataset?: string;
    state?: string;
    version?: number | null;
    code?: string;
    evidence?: Evidence;
  }[];
  verified?: {
    provider?: string;
    dataset?: string;
    rowCount?: number;
    chunks?: number;
    verifiedAt?: number;
  }[];
  verifying?: { provider?: string; dataset?: string; done?: number; chunks?: number; since?: number }[];
  refused?: { provider?: string; dataset?: string; code?: string; at?: number; retryAt?: number }[];
}

/** One line of evidence state: proved with its chunks, proving with its progress, off, or failed with its code. */
export function evidenceLine(e: Evidence | undefined): string {
  if (e === undefined) return "-";
  if (e.state === "proved") return `proved (${e.chunks ?? 0} chunks)`;
  if (e.state === "proving") {
    const total = e.chunks ?? 0;
    const share = total > 0 ? ` ${Math.floor((100 * (e.done ?? 0)) / total)}%` : "";
    return `proving ${e.done ?? 0}/${total > 0 ? total : "?"}${share}`;
  }
  if (e.state === "failed") return `failed (${e.code ?? "?"})`;
  return "off (no chunk circuit or evidence: false)";
}

const table = (header: string[], rows: string[][]): string => columns(header, rows).trimEnd();

const iso = (ms: number | undefined) => (ms === undefined ? "?" : new Date(ms).toISOString());

/** The human report of a `GET /v1/datasets` answer, optionally narrowed to one dataset. */
export function datasetStatusText(view: DatasetsView, dataset?: string): string {
  const mine = (d: { dataset?: string }) => dataset === undefined || d.dataset === dataset;
  const proved = (view.proved ?? []).filter(mine);
  const parts: string[] = [];
  parts.push(
    proved.length === 0
      ? dataset === undefined
        ? "Own proved datasets: none on this peer."
        : `Own proved datasets: ${dataset} is not one of them.`
      : `Own proved datasets:\n${table(
          ["dataset", "state", "version", "well-formedness evidence"],
          proved.map((p) => [
            p.dataset ?? "?",
            p.code === undefined ? (p.state ?? "?") : `${p.state ?? "?"} (${p.code})`,
            p.version === null || p.version === undefined ? "-" : String(p.version),
            evidenceLine(p.evidence),
          ]),
        )}`,
  );
  const asked = [
    ...(view.verified ?? [])
      .filter(mine)
      .map((v) => [
        v.dataset ?? "?",
        v.provider ?? "?",
        `verified: ${v.rowCount ?? "?"} rows, ${v.chunks ?? "?"} chunks`,
        iso(v.verifiedAt),
      ]),
    ...(view.verifying ?? [])
      .filter(mine)
      .map((v) => [
        v.dataset ?? "?",
        v.provider ?? "?",
        (v.chunks ?? 0) === 0 ? "fetching" : `verifying ${v.done ?? 0}/${v.chunks}`,
        `since ${iso(v.since)}`,
      ]),
    ...(view.refused ?? [])
      .filter(mine)
      .map((r) => [
        r.dataset ?? "?",
        r.provider ?? "?",
        r.code === "NO_EVIDENCE" ? "none served yet" : `refused: ${r.code ?? "?"}`,
        r.retryAt === undefined ? iso(r.at) : `${iso(r.at)}, again from ${iso(r.retryAt)}`,
      ]),
  ];
  parts.push(
    asked.length === 0
      ? "Others' evidence checked as an asker: none yet (checked at the first proved call)."
      : `Others' evidence checked as an asker:\n${table(["dataset", "owner", "evidence", "when"], asked)}`,
  );
  return `${parts.join("\n\n")}\n`;
}

/** `coken dataset status --api URL [--dataset ID] [--json]`: the peer's `GET /v1/datasets`, public. */
export async function datasetStatus(opts: {
  api?: string;
  dataset?: string;
  json?: boolean;
}): Promise<CommandResult> {
  if (opts.api === undefined)
    throw new UsageError("dataset status needs --api URL (the peer's operator API)");
  const api = baseUrl(opts.api, "--api");
  try {
    const { status, json } = await requestJson(api, "/v1/datasets");
    if (status !== 200)
      return {
        code: 1,
        out: `${api}/v1/datasets answered ${status} (${errorOf(json)?.code ?? "no status"})\n`,
      };
    if (opts.json === true) return { code: 0, out: `${JSON.stringify(json, null, 2)}\n` };
    return { code: 0, out: datasetStatusText(json as DatasetsView, opts.dataset) };
  } catch (e) {
    if (e instanceof RemoteError) return { code: 1, out: `${e.code}: ${e.message}\n` };
    throw e;
  }
}

export const datasetStatusCommand: Command = {
  words: ["dataset", "status"],
  summary:
    "where a peer's proved datasets and their well-formedness evidence stand, and the evidence it checked",
  details:
    "Own datasets: rebuilt and proving, the evidence proved or its progress (chunk proofs done of all). As an\nasker: the others' evidence it verified, is verifying (with progress) or refused. Public read, no token.",
  options: {
    api: {
      type: "string",
      value: "URL",
      description: "the peer's operator API, e.g. http://127.0.0.1:7001",
      required: true,
    },
    dataset: { type: "string", value: "ID", description: "only this dataset" },
    json: { type: "boolean", description: "the peer's JSON as it is" },
  },
  run: ({ values }) =>
    datasetStatus({
      api: str(values, "api"),
      dataset: str(values, "dataset"),
      json: flag(values, "json"),
    }),
};
