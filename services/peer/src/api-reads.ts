import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AgencyId,
  encodeRecord,
  fromHex,
  keys,
  type Ledger,
  recordKindOf,
  type SignedTx,
  toHex,
  txId,
} from "@coken/ledger";
import type { Store } from "@coken/store";
import { type BlockJson, blockBytes, blockToJson } from "./api-chain.js";
import { type Readiness, readiness } from "./api-health.js";
import { notFound, send } from "./api-http.js";
import type { Logger } from "./log.js";
import type { Mempool } from "./mempool.js";

/** Where a tx stands: committed (with the ledger's result, null = applied) or waiting in the mempool. */
export type TxView =
  | {
      status: "committed";
      height: number;
      index: number;
      kind: string;
      sender: string;
      seq: number;
      resultCode: string | null;
    }
  | { status: "pending" };

export interface AccountView {
  agency: AgencyId;
  seq: number;
  /** Decimal string (credits are u64). */
  balance: string;
  /** The seq the sender's next tx must carry, counting its txs in this peer's mempool. */
  pendingSeq: number;
}

/** One state record with its SMT proof (ledger spec §6.2), bytes as lower-case hex. */
export interface ProvedRecordJson {
  key: string;
  /** The record's canonical CBOR, or null when the key is absent (the proof then shows its absence). */
  value: string | null;
  siblings: string[];
  other: { keyHash: string; valueHash: string } | null;
}

/**
 * Records proved against the state after block `height`: `appHash` is that state's root, which the header of
 * block `height + 1` carries (its certificate then certifies it).
 */
export interface StateProofJson {
  height: number;
  appHash: string;
  records: ProvedRecordJson[];
}

/** Keys one proof request may name. */
export const MAX_PROOF_KEYS = 32;

/** The unauthenticated reads of the operator API. */
export interface ChainReads {
  tx(id: string): Promise<TxView | null>;
  account(agency: string): AccountView | null;
  /** The committed records of `keys` (all in the state layout) with their proofs, from one state. */
  proof(keys: readonly string[]): StateProofJson;
  /** Stored blocks from `from`, at most `limit`, fewer when they would make a large response. */
  blocks(from: number, limit: number): Promise<{ head: number; blocks: BlockJson[] }>;
  readiness(): Promise<Readiness>;
  onError(e: unknown): void;
}

export interface ChainReadsComponents {
  self: AgencyId;
  store: Pick<Store, "ledger">;
  ledger: Pick<Ledger, "head" | "state" | "hasher">;
  mempool: Pick<Mempool, "reap" | "knownTx" | "size">;
  peers(): number;
  halted(): boolean;
  log: Logger;
}

export const MAX_BLOCKS_PER_PAGE = 100;
/** Raw bytes per blocks response beyond its first block (hex doubles them on the wire). */
const MAX_PAGE_BYTES = 8 << 20;
const STORE_PROBE_MS = 2000;

/** The decoded txs in the mempool (the mempool keeps each decoded, by its bytes). */
function pendingTxs(m: ChainReadsComponents["mempool"]): SignedTx[] {
  if (m.size === 0) return [];
  return m.reap(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).flatMap((raw) => m.knownTx(raw) ?? []);
}

async function storeAnswers(store: ChainReadsComponents["store"]): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_PROBE_MS);
  });
  try {
    return await Promise.race([
      store.ledger.latestHeight().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the reads over a running peer's store, ledger and mempool. */
export function createChainReads(c: ChainReadsComponents): ChainReads {
  return {
    async tx(id) {
      // The mempool first: a commit stores the block before it empties the mempool, so no tx falls between.
      const pending = pendingTxs(c.mempool).some((t) => toHex(txId(c.ledger.hasher, t.body)) === id);
      const hash = fromHex(id);
      const record = hash === undefined ? null : await c.store.ledger.getTx(hash);
      if (record !== null) {
        const { height, index, kind, sender, seq, resultCode } = record;
        return { status: "committed", height, index, kind, sender, seq, resultCode };
      }
      return pending ? { status: "pending" } : null;
    },
    account(agency) {
      const account = c.ledger.state.get(keys.account(agency));
      if (account === undefined) return null;
      let pendingSeq = account.seq;
      for (const t of pendingTxs(c.mempool))
        if (t.body.sender === agency) pendingSeq = Math.max(pendingSeq, t.body.seq + 1);
      return { agency, seq: account.seq, balance: account.balance.toString(), pendingSeq };
    },
    proof(names) {
      // Synchronous: head, records and proofs all come from the same committed state.
      const state = c.ledger.state;
      const records = names.map((key): ProvedRecordJson => {
        const record = state.get(key as Parameters<typeof state.get>[0]);
        const p = state.prove(key);
        return {
          key,
          value: record === undefined ? null : toHex(encodeRecord(record)),
          siblings: p.siblings.map(toHex),
          other:
            p.other === null
              ? null
              : { keyHash: toHex(p.other.keyHash), valueHash: toHex(p.other.valueHash) },
        };
      });
      return { height: c.ledger.head.height, appHash: toHex(state.appHash()), records };
    },
    async blocks(from, limit) {
      const head = c.ledger.head.height;
      const stored = await c.store.ledger.listBlocks(from, limit);
      const blocks: BlockJson[] = [];
      let bytes = 0;
      for (const b of stored) {
        bytes += blockBytes(b);
        if (blocks.length > 0 && bytes > MAX_PAGE_BYTES) break;
        blocks.push(blockToJson(b));
      }
      return { head, blocks };
    },
    async readiness() {
      const validators = c.ledger.state.get(keys.validators)?.validators ?? [];
      return readiness({
        storeOk: await storeAnswers(c.store),
        peers: c.peers(),
        soleValidator: validators.length === 1 && validators[0]?.agency === c.self,
        halted: c.halted(),
        height: c.ledger.head.height,
      });
    },
    onError: (e) => c.log.error("api read failed", { error: e instanceof Error ? e.message : String(e) }),
  };
}

const AGENCY = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;
const TX_ID = /^[0-9a-f]{64}$/;

function uintParam(params: URLSearchParams, name: string, fallback: number | null): number | null {
  const v = params.get(name);
  if (v === null) return fallback;
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
}

/**
 * `GET /healthz`, `GET /readyz`, `GET /v1/txs/{id}`, `GET /v1/accounts/{agency}`, `GET /v1/chain/blocks` and
 * `GET /v1/state/proof?key=K` (repeatable); answers and returns true when the request is one of them. Only ledger
 * data: never row values.
 */
export function serveReads(reads: ChainReads, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET") return false;
  const url = new URL(req.url ?? "/", "http://api");
  const path = url.pathname;
  const fail = (e: unknown) => {
    reads.onError(e);
    send(res, 500, { error: { code: "INTERNAL" } });
  };
  if (path === "/healthz") {
    send(res, 200, { ok: true });
    return true;
  }
  if (path === "/readyz") {
    reads.readiness().then((r) => send(res, r.ready ? 200 : 503, r), fail);
    return true;
  }
  const tx = /^\/v1\/txs\/([^/]+)$/.exec(path);
  if (tx) {
    const id = (tx[1] as string).toLowerCase();
    if (!TX_ID.test(id)) {
      send(res, 400, { error: { code: "BAD_REQUEST", message: "a tx id is 64 hex characters" } });
      return true;
    }
    reads.tx(id).then((v) => (v === null ? notFound(res) : send(res, 200, { id, ...v })), fail);
    return true;
  }
  const account = /^\/v1\/accounts\/([^/]+)$/.exec(path);
  if (account) {
    const agency = account[1] as string;
    const view = AGENCY.test(agency) ? reads.account(agency) : null;
    if (view === null) notFound(res);
    else send(res, 200, view);
    return true;
  }
  if (path === "/v1/state/proof") {
    const names = url.searchParams.getAll("key");
    if (
      names.length < 1 ||
      names.length > MAX_PROOF_KEYS ||
      names.some((k) => recordKindOf(k) === undefined)
    ) {
      send(res, 400, {
        error: {
          code: "BAD_REQUEST",
          message: `key=K, 1..${MAX_PROOF_KEYS} times, each a state key (e.g. voucher/<id>)`,
        },
      });
      return true;
    }
    send(res, 200, reads.proof(names));
    return true;
  }
  if (path === "/v1/chain/blocks") {
    const from = uintParam(url.searchParams, "from", 0);
    const limit = uintParam(url.searchParams, "limit", MAX_BLOCKS_PER_PAGE);
    if (from === null || limit === null || limit < 1 || limit > MAX_BLOCKS_PER_PAGE) {
      send(res, 400, {
        error: { code: "BAD_REQUEST", message: `from=HEIGHT&limit=1..${MAX_BLOCKS_PER_PAGE}` },
      });
      return true;
    }
    reads.blocks(from, limit).then((page) => send(res, 200, page), fail);
    return true;
  }
  return false;
}
