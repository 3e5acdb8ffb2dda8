import { fromHex, keys } from "@coken/ledger";
import type { Resolvers } from "../../generated/graphql.js";
import { fromGlobalId } from "../ids.js";
import type { OfficialContext } from "../models.js";

async function nodeById(id: string, { official }: OfficialContext) {
  const { type, key } = fromGlobalId(id);
  switch (type) {
    case "Agency":
      return official.ledger.get(keys.agency(key)) ?? null;
    case "Dataset":
      return official.ledger.get(keys.dataset(key)) ?? null;
    case "Grant":
      return official.ledger.get(keys.grant(key)) ?? null;
    case "Block": {
      const height = Number(key);
      return Number.isSafeInteger(height) && height >= 0 ? official.chain.getBlock(height) : null;
    }
    case "Tx": {
      const hash = fromHex(key);
      return hash === undefined ? null : official.chain.getTx(hash);
    }
    case "AccessReceipt": {
      const [time, idHex] = key.split(":");
      const timeMs = Number(time);
      if (!Number.isSafeInteger(timeMs) || timeMs < 0 || idHex === undefined) return null;
      // Receipts are indexed by time: one millisecond holds few, so the page is small.
      const page = await official.chain.queryReceipts({ fromMs: timeMs, toMs: timeMs + 1, limit: 1000 });
      return page.receipts.find((r) => Buffer.from(r.id).toString("hex") === idHex) ?? null;
    }
  }
}

/** Relay `node(id)` over every type with a global id. */
export const nodeResolvers: Resolvers = {
  Query: {
    node: (_, { id }, ctx) => nodeById(id, ctx),
  },
  Node: {
    __resolveType: (node) => {
      const n = node as object;
      if ("publicKey" in n) return "Agency";
      if ("grantee" in n) return "Grant";
      if ("fields" in n && "owner" in n) return "Dataset";
      if ("requestHash" in n) return "AccessReceipt";
      if ("prevHash" in n) return "Block";
      return "Tx";
    },
  },
};
