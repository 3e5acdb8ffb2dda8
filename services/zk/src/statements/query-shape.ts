import type { Predicate, ZkQuery } from "../api.js";
import { ZkError } from "../errors.js";

const OPS = new Set(["gte", "lte", "eq", "range"]);
const MAX_TEXT = 1024;
const MAX_PREDICATES = 16;

const bad = (why: string): never => {
  throw new ZkError("BAD_QUERY", why);
};

const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= MAX_TEXT;

function checkValue(v: unknown, what: string): void {
  const ok =
    (typeof v === "string" && v.length <= MAX_TEXT) ||
    typeof v === "boolean" ||
    (typeof v === "number" && Number.isFinite(v));
  if (!ok) bad(`${what} must be a string, a finite number or a boolean`);
}

function checkPredicate(p: unknown, what: string): void {
  if (typeof p !== "object" || p === null) throw new ZkError("BAD_QUERY", `${what} must be an object`);
  const q = p as Partial<Predicate>;
  if (!isText(q.field)) bad(`${what}.field must be a field name`);
  if (typeof q.op !== "string" || !OPS.has(q.op)) bad(`${what}.op must be gte, lte, eq or range`);
  checkValue(q.value, `${what}.value`);
  if (q.op === "range") checkValue(q.upper, `${what}.upper`);
}

/**
 * Checks the shape of a query that came from outside (types, sizes, known kinds and comparisons), so that the
 * statements never meet a value they would crash on. Throws BAD_QUERY.
 */
export function checkQueryShape(query: unknown): asserts query is ZkQuery {
  if (typeof query !== "object" || query === null)
    throw new ZkError("BAD_QUERY", "the query must be an object");
  const q = query as Record<string, unknown>;
  switch (q.kind) {
    case "threshold":
      if (!isText(q.key)) bad("key must be a non-empty string");
      return checkPredicate(q, "query");
    case "membership":
      if (!isText(q.key)) bad("key must be a non-empty string");
      return;
    case "count":
    case "sum":
      if (!isText(q.field)) bad("field must be a field name");
      checkValue(q.from, "from");
      checkValue(q.to, "to");
      if (q.kind === "sum" && !isText(q.sumField)) bad("sumField must be a field name");
      return;
    case "filter":
      if (!Array.isArray(q.where) || q.where.length === 0 || q.where.length > MAX_PREDICATES) {
        bad(`where must list 1..${MAX_PREDICATES} predicates`);
      }
      (q.where as unknown[]).forEach((p, i) => {
        checkPredicate(p, `where[${i}]`);
      });
      if (q.aggregate !== "count" && q.aggregate !== "sum") bad("aggregate must be count or sum");
      if (q.aggregate === "sum" && !isText(q.sumField)) bad("a sum needs sumField");
      return;
    default:
      bad("unknown query kind");
  }
}
