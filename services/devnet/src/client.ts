import {
  createHasher,
  encodeTx,
  type Signer,
  signTx,
  type TxBody,
  type TxKind,
  type TxPayloads,
} from "@coken/ledger";

/** A request to a devnet peer that did not give the expected answer; `code` is the peer's or the ledger's. */
export class DevnetError extends Error {
  override readonly name = "DevnetError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphQLResult {
  // biome-ignore lint/suspicious/noExplicitAny: responses are walked by shape, per query
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs a GraphQL document to an officials' endpoint (`<gateway>/graphql`). */
export async function graphql(
  gateway: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  const res = await fetch(`${gateway}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResult;
}

/** Like `graphql`, but a response with errors throws DevnetError with the first error's code. */
export async function graphqlData(
  gateway: string,
  query: string,
  variables: Record<string, unknown> = {},
  // biome-ignore lint/suspicious/noExplicitAny: see GraphQLResult
): Promise<any> {
  const r = await graphql(gateway, query, variables);
  const e = r.errors?.[0];
  if (e !== undefined) throw new DevnetError(e.extensions?.code ?? "GRAPHQL", e.message);
  return r.data;
}

/** JSON from the operator API; null on 404. */
export async function apiGet<T>(api: string, path: string): Promise<T | null> {
  const res = await fetch(`${api}${path}`);
  if (res.status === 404) return null;
  return (await res.json()) as T;
}

/** Polls `probe` until it yields a value `done` accepts; fails with `what` and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let last: T | undefined;
    try {
      last = await probe();
      if (done(last)) return last;
    } catch {
      // Not reachable yet: try again until the bound.
    }
    if (Date.now() > end)
      throw new DevnetError("TIMEOUT", `timed out waiting for ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Endpoints {
  agency: string;
  /** Operator API base URL. */
  api: string;
  /** Gateway base URL (officials' `/graphql`). */
  gateway: string;
}

export interface TxOutcome {
  id: string;
  /** The sequence number it was signed with (derived ids, e.g. a grant's, come from it). */
  seq: number;
  height: number;
  /** null: applied; otherwise the ledger's refusal code. */
  resultCode: string | null;
}

/**
 * Signs a transaction as `signer`'s agency with its next sequence number (the operator API's `pendingSeq`, which
 * counts this agency's txs still in the mempool), submits it to the agency's peer and waits until a block holds it.
 */
export async function submitAndWait<K extends TxKind>(
  at: Endpoints,
  chainId: string,
  signer: Signer,
  kind: K,
  payload: TxPayloads[K],
  timeoutMs = 60_000,
): Promise<TxOutcome> {
  const hasher = createHasher("sha256");
  const account = await apiGet<{ pendingSeq: number }>(
    at.api,
    `/v1/accounts/${encodeURIComponent(at.agency)}`,
  );
  const seq = account?.pendingSeq ?? 0;
  const body = { chain: chainId, kind, sender: at.agency, seq, payload } as TxBody;
  const raw = encodeTx(signTx(hasher, signer, body));
  const res = await fetch(`${at.api}/v1/txs`, { method: "POST", body: raw as Uint8Array<ArrayBuffer> });
  const json = (await res.json()) as { id?: string; error?: { code: string } };
  if (json.id === undefined)
    throw new DevnetError(json.error?.code ?? "REFUSED", `${kind} from ${at.agency} refused by the mempool`);
  const id = json.id;
  const tx = await until(
    `${kind} ${id.slice(0, 12)} to be committed`,
    () => apiGet<{ status: string; height?: number; resultCode?: string | null }>(at.api, `/v1/txs/${id}`),
    (t) => t?.status === "committed",
    timeoutMs,
  );
  return { id, seq, height: tx?.height ?? -1, resultCode: tx?.resultCode ?? null };
}
