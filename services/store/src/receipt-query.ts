import { accessReceipts } from "@coken/db-schema";
import { and, asc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { fromHex, toHex } from "./bytea.js";
import { type Db, guard } from "./db.js";
import { invalidArgument } from "./errors.js";
import type { ReceiptPage, ReceiptQuery, StoredReceipt } from "./types.js";
import { requireInt8, requireLimit } from "./validate.js";

interface Position {
  timeMs: number;
  id: Uint8Array;
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.timeMs, toHex(position.id)])).toString("base64url");
}

function decodeCursor(cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [timeMs, idHex] = parsed as unknown[];
    const id = typeof idHex === "string" ? fromHex(idHex) : null;
    if (typeof timeMs === "number" && Number.isSafeInteger(timeMs) && timeMs >= 0 && id !== null) {
      return { timeMs, id };
    }
  }
  throw invalidArgument("after is not a cursor returned by queryReceipts", { argument: "after" });
}

function conditions(query: ReceiptQuery): SQL[] {
  const r = accessReceipts;
  const where: SQL[] = [];
  if (query.provider !== undefined) where.push(eq(r.provider, query.provider));
  if (query.requester !== undefined) where.push(eq(r.requester, query.requester));
  if (query.agency !== undefined) {
    where.push(or(eq(r.provider, query.agency), eq(r.requester, query.agency)) as SQL);
  }
  if (query.dataset !== undefined) where.push(eq(r.dataset, query.dataset));
  if (query.grantId !== undefined) where.push(eq(r.grantId, query.grantId));
  if (query.fromMs !== undefined) where.push(gte(r.timeMs, query.fromMs));
  if (query.toMs !== undefined) where.push(lt(r.timeMs, query.toMs));
  if (query.after !== undefined) {
    const { timeMs, id } = decodeCursor(query.after);
    // Row comparison keeps the keyset condition index-friendly and exact on ties in time_ms.
    where.push(sql`(${r.timeMs}, ${r.id}) > (${timeMs}::bigint, ${id}::bytea)`);
  }
  return where;
}

function validate(query: ReceiptQuery): void {
  requireLimit(query.limit);
  if (query.fromMs !== undefined) requireInt8("fromMs", query.fromMs);
  if (query.toMs !== undefined) requireInt8("toMs", query.toMs);
  if (query.fromMs !== undefined && query.toMs !== undefined && query.fromMs > query.toMs) {
    throw invalidArgument("fromMs must not be after toMs", { argument: "fromMs" });
  }
}

export async function queryReceipts(db: Db, query: ReceiptQuery): Promise<ReceiptPage> {
  validate(query);
  const where = conditions(query);
  // One extra row tells whether another page exists, so the last page ends with next = null.
  const rows: StoredReceipt[] = await guard("queryReceipts", () =>
    db
      .select()
      .from(accessReceipts)
      .where(and(...where))
      .orderBy(asc(accessReceipts.timeMs), asc(accessReceipts.id))
      .limit(query.limit + 1),
  );
  const receipts = rows.slice(0, query.limit);
  const last = receipts.at(-1);
  const next = rows.length > query.limit && last !== undefined ? encodeCursor(last) : null;
  return { receipts, next };
}
