import type { ReceiptQuery } from "@coken/store";
import { type Connection, connection, decodeCursor, encodeCursor, MAX_PAGE, pageSize } from "./connection.js";
import type { ChainRecords, ReceiptModel } from "./models.js";

/** Where an edge sits: the store's cursor of its page start (null: the first page) and its index there. */
interface ReceiptCursor {
  a: string | null;
  s: number;
}

const isReceiptCursor = (v: unknown): v is ReceiptCursor => {
  const c = v as ReceiptCursor;
  return (
    typeof c === "object" &&
    c !== null &&
    (c.a === null || typeof c.a === "string") &&
    Number.isInteger(c.s) &&
    c.s >= 0 &&
    c.s < MAX_PAGE
  );
};

/**
 * A Relay page over the store's receipt index, which hands out one opaque cursor per page. An edge cursor is
 * (page start, index); resuming after it skips index+1 receipts from the page start in one bounded query and
 * starts the new page at the store's cursor there, so skips never accumulate across pages.
 */
export async function receiptPage(
  chain: ChainRecords,
  filter: Omit<ReceiptQuery, "limit" | "after">,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<ReceiptModel>> {
  const n = pageSize(first);
  let start: string | null = null;
  if (after != null) {
    const c = decodeCursor(after, isReceiptCursor);
    const skipped = await chain.queryReceipts({
      ...filter,
      limit: c.s + 1,
      ...(c.a === null ? {} : { after: c.a }),
    });
    if (skipped.next === null) return connection([], () => "", false, true);
    start = skipped.next;
  }
  const page = await chain.queryReceipts({
    ...filter,
    limit: Math.max(n, 1),
    ...(start === null ? {} : { after: start }),
  });
  const nodes = page.receipts.slice(0, n);
  const hasNext = n === 0 ? page.receipts.length > 0 : page.next !== null;
  return connection(nodes, (_, s) => encodeCursor({ a: start, s }), hasNext, after != null);
}
