import { type FreezeEvent, type FreezeKind, keys } from "@coken/ledger";
import { type Connection, connection, decodeCursor, encodeCursor, pageSize } from "./connection.js";
import type { LedgerReader } from "./models.js";

const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * A target's freeze history, newest first, from the ledger's `freezelog`/`freezeevent` records. The cursor is the
 * event's position, which never changes (events are only appended), so pages stay correct as history grows.
 */
export function freezeHistory(
  ledger: LedgerReader,
  kind: FreezeKind,
  id: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Connection<FreezeEvent> & { totalCount: number } {
  const n = pageSize(first);
  const count = ledger.get(keys.freezelog(kind, id))?.count ?? 0;
  const start = after == null ? count - 1 : Math.min(decodeCursor(after, isIndex), count) - 1;
  const nodes: FreezeEvent[] = [];
  for (let i = start; i >= 0 && nodes.length < n; i--) {
    const event = ledger.get(keys.freezeevent(kind, id, i));
    if (event !== undefined) nodes.push(event);
  }
  // Older events remain below the last one returned (or below `start` when the page is empty).
  const next = (nodes.at(-1)?.n ?? start + 1) > 0;
  return {
    ...connection(nodes, (e) => encodeCursor(e.n), next, start < count - 1),
    totalCount: count,
  };
}
