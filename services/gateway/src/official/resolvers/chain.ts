import { fromHex, toHex } from "@coken/ledger";
import { GatewayError } from "../../errors.js";
import type { Resolvers } from "../../generated/graphql.js";
import { type Connection, connection, decodeCursor, encodeCursor, pageSize } from "../connection.js";
import { toGlobalId } from "../ids.js";
import type { BlockModel, ChainRecords, TxModel } from "../models.js";

// How many blocks one `transactions` page may scan looking for txs (empty blocks are common).
const TX_SCAN_BLOCKS = 2000;
const SCAN_CHUNK = 200;

const isHeight = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isTxPosition = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && isHeight(v[0]) && isHeight(v[1]);

/** Parses hex bytes from a caller. */
export function bytesArg(hex: string, name: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new GatewayError("BAD_USER_INPUT", `${name} is not hex`);
  return bytes;
}

async function blockPage(
  chain: ChainRecords,
  order: "ASC" | "DESC",
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<BlockModel>> {
  const n = pageSize(first);
  const afterHeight = after == null ? null : decodeCursor(after, isHeight);
  const latest = await chain.latestHeight();
  const cursorOf = (b: BlockModel) => encodeCursor(b.height);
  if (latest === null || n === 0) return connection([], cursorOf, latest !== null, afterHeight !== null);
  if (order === "ASC") {
    const from = afterHeight === null ? 0 : afterHeight + 1;
    if (from > latest) return connection([], cursorOf, false, true);
    const blocks = await chain.listBlocks(from, n + 1);
    return connection(blocks.slice(0, n), cursorOf, blocks.length > n, from > 0);
  }
  const top = afterHeight === null ? latest : Math.min(afterHeight - 1, latest);
  if (top < 0) return connection([], cursorOf, false, true);
  const from = Math.max(0, top - n + 1);
  const blocks = (await chain.listBlocks(from, top - from + 1)).reverse();
  return connection(blocks, cursorOf, from > 0, top < latest);
}

/** Transactions newest first; the cursor is (height, index). */
async function txPage(
  chain: ChainRecords,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<TxModel>> {
  const n = pageSize(first);
  const position = after == null ? null : decodeCursor(after, isTxPosition);
  const cursorOf = (t: TxModel) => encodeCursor([t.height, t.index]);
  const latest = await chain.latestHeight();
  if (latest === null) return connection([], cursorOf, false, position !== null);
  const found: TxModel[] = [];
  let top = position === null ? latest : Math.min(position[0], latest);
  const floor = Math.max(0, top - TX_SCAN_BLOCKS + 1);
  while (top >= floor && found.length <= n) {
    const from = Math.max(floor, top - SCAN_CHUNK + 1);
    const blocks = await chain.listBlocks(from, top - from + 1);
    for (const block of blocks.reverse()) {
      for (const tx of [...block.txs].reverse()) {
        if (position !== null && block.height === position[0] && tx.index >= position[1]) continue;
        found.push({ ...tx, height: block.height });
      }
    }
    top = from - 1;
  }
  // Beyond the scan window there may be more: say so, so a client keeps paging.
  const more = found.length > n || top >= 0;
  return connection(found.slice(0, n), cursorOf, more, position !== null);
}

/** Blocks and transactions from the store. */
export const chainResolvers: Resolvers = {
  Query: {
    blocks: (_, { order, first, after }, { official }) => blockPage(official.chain, order, first, after),
    block: async (_, { height, hash }, { official }) => {
      if ((height == null) === (hash == null)) {
        throw new GatewayError("BAD_USER_INPUT", "give exactly one of height and hash");
      }
      if (height != null) return height < 0 ? null : official.chain.getBlock(height);
      return official.chain.getBlockByHash(bytesArg(hash as string, "hash"));
    },
    transactions: (_, { first, after }, { official }) => txPage(official.chain, first, after),
    tx: (_, { hash }, { official }) => official.chain.getTx(bytesArg(hash, "hash")),
  },
  Block: {
    id: (b) => toGlobalId("Block", String(b.height)),
    time: (b) => b.timeMs,
    txCount: (b) => b.txs.length,
    txs: (b, { first, after }) => {
      const n = pageSize(first);
      const from = after == null ? 0 : decodeCursor(after, isHeight) + 1;
      const txs = b.txs.slice(from, from + n).map((t) => ({ ...t, height: b.height }));
      return connection(txs, (t) => encodeCursor(t.index), from + n < b.txs.length, from > 0);
    },
  },
  Tx: {
    id: (t) => toGlobalId("Tx", toHex(t.hash)),
    size: (t) => t.raw.length,
  },
};
