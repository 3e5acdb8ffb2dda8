import { createReadStream } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createInterface } from "node:readline";
import { type Command, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";

/** Rows sent per request: well under the operator API's 8 MiB body limit for ordinary rows. */
const DEFAULT_BATCH = 5000;

interface ApiTarget {
  /** Base URL of the peer's operator API, e.g. http://127.0.0.1:7001. */
  api: string;
  token: string;
}

function target(api: string | undefined, env: NodeJS.ProcessEnv): ApiTarget {
  if (api === undefined) throw new UsageError("dataset commands need --api URL (the peer's operator API)");
  const token = env.COKEN_API_TOKEN;
  if (token === undefined || token === "")
    throw new UsageError("set COKEN_API_TOKEN to the operator token (the peer's api.tokenFile)");
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new UsageError(`--api ${api} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError("--api must be an http(s) URL");
  return { api: api.replace(/\/$/, ""), token };
}

/**
 * One request to the operator API with node:http(s), not fetch: fetch gives up on a response whose headers take
 * over 300 s, and committing to a large dataset on a busy host can take longer (about 3.5 min for 2^20 rows on
 * two free cores, docs/spec/zk.md). The peer answers when the commitment is built and submitted.
 */
function send(url: URL, method: string, headers: Record<string, string>, body?: string) {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function call(t: ApiTarget, method: string, path: string, body?: string) {
  let res: { status: number; text: string };
  try {
    res = await send(
      new URL(`${t.api}${path}`),
      method,
      {
        authorization: `Bearer ${t.token}`,
        "content-type": "application/x-ndjson",
        ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
      },
      body,
    );
  } catch (e) {
    const c = e as { code?: string; errors?: { code?: string }[] };
    const cause = c.code ?? c.errors?.[0]?.code ?? (e as Error).message;
    return {
      ok: false,
      json: { error: { code: "UNREACHABLE", message: `no operator API at ${t.api} (${cause})` } },
    };
  }
  let json: { error?: { code: string; message?: string } } = {};
  try {
    const parsed: unknown = JSON.parse(res.text);
    if (typeof parsed === "object" && parsed !== null) json = parsed as typeof json;
  } catch {
    // Not JSON (a proxy's error page, say): the status alone tells.
  }
  return { ok: res.status >= 200 && res.status < 300, json };
}

function refusal(json: { error?: { code: string; message?: string } }, at: string): CommandResult {
  const e = json.error ?? { code: "UNKNOWN" };
  return { code: 1, out: `${at}: ${e.code}${e.message ? `: ${e.message}` : ""}\n` };
}

/**
 * `coken data import --api URL --dataset ID --file ROWS.ndjson [--batch N]`: sends the rows (one JSON
 * `{key, fields}` per line) to the peer in batches; each batch is stored whole or not at all. Stops at the first
 * refused batch and says which lines it held.
 */
export async function dataImport(
  opts: { api?: string; dataset?: string; file?: string; batch?: string },
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  if (opts.dataset === undefined || opts.file === undefined)
    throw new UsageError("data import needs --dataset and --file");
  const t = target(opts.api, env);
  const size = opts.batch === undefined ? DEFAULT_BATCH : Number(opts.batch);
  if (!Number.isInteger(size) || size < 1) throw new UsageError("--batch must be a positive integer");
  const path = `/v1/datasets/${encodeURIComponent(opts.dataset)}/rows`;
  let sent = 0;
  let line = 0;
  let batch: string[] = [];
  const flush = async (): Promise<CommandResult | null> => {
    if (batch.length === 0) return null;
    const first = line - batch.length + 1;
    const r = await call(t, "PUT", path, `${batch.join("\n")}\n`);
    if (!r.ok) return refusal(r.json, `lines ${first}..${line} not stored (${sent} rows stored before)`);
    sent += batch.length;
    batch = [];
    return null;
  };
  const lines = createInterface({ input: createReadStream(opts.file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    batch.push(text);
    if (batch.length >= size) {
      const stop = await flush();
      if (stop !== null) return stop;
    }
  }
  return (await flush()) ?? { code: 0, out: `stored ${sent} rows in ${opts.dataset}\n` };
}

/** `coken dataset commit --api URL --dataset ID`: the peer commits to its stored rows and submits dataset.commit. */
export async function datasetCommit(
  opts: { api?: string; dataset?: string },
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  if (opts.dataset === undefined) throw new UsageError("dataset commit needs --dataset");
  const t = target(opts.api, env);
  const r = await call(t, "POST", `/v1/datasets/${encodeURIComponent(opts.dataset)}/commit`);
  if (!r.ok) return refusal(r.json, `${opts.dataset} not committed`);
  return { code: 0, out: `${JSON.stringify(r.json, null, 2)}\n` };
}

const API_OPTION = {
  type: "string",
  value: "URL",
  description: "the peer's operator API, e.g. http://127.0.0.1:7001",
  required: true,
} as const;

/** Row import and dataset commitment, through the operator API (token from COKEN_API_TOKEN). */
export const datasetCommands: Command[] = [
  {
    words: ["data", "import"],
    summary: "load an agency's own rows (NDJSON {key, fields} per line) into its peer's store",
    details:
      "Each batch is checked against the dataset's published fields and stored whole or not at all; refusals\nname the line and the field, never the values. The token comes from COKEN_API_TOKEN.",
    options: {
      api: API_OPTION,
      dataset: { type: "string", value: "ID", description: "the dataset id", required: true },
      file: { type: "string", value: "ROWS.ndjson", description: "the rows", required: true },
      batch: { type: "string", value: "N", description: "rows per request (default 5000)" },
    },
    run: ({ values }, env) =>
      dataImport(
        {
          api: str(values, "api"),
          dataset: str(values, "dataset"),
          file: str(values, "file"),
          batch: str(values, "batch"),
        },
        env,
      ),
  },
  {
    words: ["dataset", "commit"],
    summary: "commit to the stored rows of a dataset and put the commitment on the ledger",
    details:
      "The peer builds the commitment (trees and indexes) and submits dataset.commit. Token: COKEN_API_TOKEN.",
    options: {
      api: API_OPTION,
      dataset: { type: "string", value: "ID", description: "the dataset id", required: true },
    },
    run: ({ values }, env) =>
      datasetCommit({ api: str(values, "api"), dataset: str(values, "dataset") }, env),
  },
];
