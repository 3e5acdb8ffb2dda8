import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
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
  return { api: api.replace(/\/$/, ""), token };
}

async function call(t: ApiTarget, method: string, path: string, body?: string) {
  let res: Response;
  try {
    res = await fetch(`${t.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.token}`, "content-type": "application/x-ndjson" },
      ...(body === undefined ? {} : { body }),
    });
  } catch (e) {
    const c = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code ?? (e as Error).message;
    return {
      ok: false,
      json: { error: { code: "UNREACHABLE", message: `no operator API at ${t.api} (${cause})` } },
    };
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message?: string } };
  return { ok: res.ok, json };
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
