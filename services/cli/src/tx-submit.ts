import { setTimeout as sleep } from "node:timers/promises";
import {
  decodeTx,
  EncodingError,
  encodeTx,
  signTx,
  type TxBody,
  type TxKind,
  type TxPayloads,
  toHex,
  txId,
} from "@coken/ledger";
import type { CommandResult } from "./commands.js";
import { UsageError } from "./commands.js";
import { errorOf, RemoteError, requestJson } from "./remote-api.js";
import type { TxTarget } from "./tx-target.js";

/** A transaction to sign: its kind and payload, and the ids it creates, which depend on its sequence number. */
export interface TxRequest<K extends TxKind = TxKind> {
  kind: K;
  payload: TxPayloads[K];
  derived?: (target: TxTarget, seq: number) => Record<string, string>;
}

export interface WaitOptions {
  wait: boolean;
  timeoutMs: number;
  json: boolean;
  /** Between status polls. */
  pollMs?: number;
}

/** Where the tx ended: committed (applied or refused by the ledger), only submitted, or not taken at all. */
export type TxOutcome = {
  tx: string;
  kind: TxKind;
  sender: string;
  seq: number;
  status: "committed" | "pending" | "refused" | "dropped" | "timeout";
  height?: number;
  index?: number;
  /** "applied" or the ledger's (or the mempool's) refusal code. */
  result?: string;
} & Record<string, unknown>;

// A peer also signs txs of its own agency (dataset commits, access receipts), which can take the sequence number
// just read; the tx is then signed again with the next one.
const SEQ_ATTEMPTS = 5;

/** The sequence number the sender's next tx must carry, counting its pending txs; null: no account. */
async function nextSeq(target: TxTarget): Promise<number | null> {
  const { status, json } = await requestJson(target.api, `/v1/accounts/${encodeURIComponent(target.agency)}`);
  if (status === 404) return null;
  const seq = json.pendingSeq ?? json.seq;
  if (status !== 200 || typeof seq !== "number")
    throw new RemoteError("BAD_RESPONSE", `${target.api}/v1/accounts answered ${status} without a seq`);
  return seq;
}

/** Seconds between tries of a tx the peer refused for its mempool's capacity (the Retry-After it answers). */
const CAPACITY_RETRY_MS = 1000;

/**
 * Posts the tx; while the peer refuses it as retryable (its mempool is full, or holds the sender's share) and the
 * wait allows, posts the same bytes again after a pause. Returns the last answer.
 */
async function postTx(target: TxTarget, raw: Uint8Array, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const answer = await requestJson(target.api, "/v1/txs", {
      method: "POST",
      body: raw,
      headers: { "content-type": "application/cbor" },
    });
    const retryable = (answer.json.error as { retryable?: unknown } | undefined)?.retryable === true;
    if (answer.status === 202 || !retryable || Date.now() + CAPACITY_RETRY_MS > end) return answer;
    await sleep(CAPACITY_RETRY_MS);
  }
}

/** Signs and encodes, checking the result with the ledger's own decoder so a bad payload never leaves. */
function signed(target: TxTarget, req: TxRequest, seq: number): { id: string; raw: Uint8Array } {
  const body = {
    chain: target.chainId,
    kind: req.kind,
    sender: target.agency,
    seq,
    payload: req.payload,
  } as TxBody;
  let raw: Uint8Array;
  try {
    raw = encodeTx(signTx(target.hasher, target.signer, body));
    decodeTx(raw);
  } catch (e) {
    if (e instanceof EncodingError || e instanceof TypeError || e instanceof RangeError)
      throw new UsageError(`the ${req.kind} payload is not valid: ${(e as Error).message}`);
    throw e;
  }
  return { id: toHex(txId(target.hasher, body)), raw };
}

async function poll(target: TxTarget, outcome: TxOutcome, options: WaitOptions): Promise<TxOutcome> {
  const end = Date.now() + options.timeoutMs;
  let missing = 0;
  for (;;) {
    const { status, json } = await requestJson(target.api, `/v1/txs/${outcome.tx}`);
    if (status === 200 && json.status === "committed") {
      const code = json.resultCode;
      return {
        ...outcome,
        status: "committed",
        height: json.height as number,
        index: json.index as number,
        result: typeof code === "string" ? code : "applied",
      };
    }
    // Gone from the mempool without a commit: a block made it invalid. Asked twice in case of a restart.
    missing = status === 404 ? missing + 1 : 0;
    if (missing >= 2) return { ...outcome, status: "dropped" };
    if (Date.now() >= end) return { ...outcome, status: "timeout" };
    await sleep(options.pollMs ?? 250);
  }
}

/**
 * Signs the tx with the next sequence number, submits it (`POST /v1/txs`; again, within the wait's timeout, while
 * the peer's mempool refuses it for capacity) and, unless told not to, waits for it to be committed
 * (`GET /v1/txs/{id}`). Exit code 0 only for an applied tx (or a submitted one with --no-wait).
 */
export async function submitTx(
  target: TxTarget,
  req: TxRequest,
  options: WaitOptions,
): Promise<CommandResult> {
  let outcome: TxOutcome | null = null;
  for (let attempt = 0; attempt < SEQ_ATTEMPTS && outcome === null; attempt++) {
    const seq = req.kind === "agency.register" ? 0 : await nextSeq(target);
    const base = { kind: req.kind, sender: target.agency };
    if (seq === null) {
      outcome = { tx: "", ...base, seq: 0, status: "refused", result: "UNKNOWN_SENDER" };
      break;
    }
    const { id, raw } = signed(target, req, seq);
    const known = { tx: id, ...base, seq, ...req.derived?.(target, seq) };
    const { status, json } = await postTx(target, raw, options.timeoutMs);
    if (status === 202) outcome = { ...known, status: "pending" };
    else {
      const code = errorOf(json)?.code ?? `HTTP_${status}`;
      if (code !== "BAD_SEQUENCE" || attempt === SEQ_ATTEMPTS - 1 || req.kind === "agency.register")
        outcome = { ...known, status: "refused", result: code };
    }
  }
  if (outcome === null) throw new Error("unreachable: no outcome after the last attempt");
  const final = outcome.status === "pending" && options.wait ? await poll(target, outcome, options) : outcome;
  const ok = final.status === "committed" ? final.result === "applied" : final.status === "pending";
  return { code: ok ? 0 : 1, out: options.json ? `${JSON.stringify(final)}\n` : describe(final, options) };
}

const TEXT_OF: Record<TxOutcome["status"], (o: TxOutcome, timeoutMs: number) => string> = {
  committed: (o) => `height ${o.height}\nindex ${o.index}\nresult ${o.result}`,
  pending: () => "status pending (submitted; not waiting for the commit)",
  refused: (o) => `refused ${o.result} (the peer did not take the transaction)`,
  dropped: () => "dropped (a committed block made the transaction invalid before it was included)",
  timeout: (_, ms) =>
    `timeout (still pending after ${Math.round(ms / 1000)} s; ask again with GET /v1/txs/ID)`,
};

function describe(o: TxOutcome, options: WaitOptions): string {
  const { tx, kind, sender, seq, status, height, index, result, ...derived } = o;
  const lines = [...(tx ? [`tx ${tx}`] : []), `kind ${kind}`, `sender ${sender}`, `seq ${seq}`];
  for (const [name, value] of Object.entries(derived)) lines.push(`${name} ${String(value)}`);
  lines.push(TEXT_OF[status](o, options.timeoutMs));
  return `${lines.join("\n")}\n`;
}
