import type { QueryKind } from "@coken/ledger";
import type { Comparison, FieldValue, Predicate } from "@coken/zk";
import { GatewayError } from "../errors.js";
import type { DatasetQuery } from "../federation/types.js";

const bad = (message: string) => new GatewayError("BAD_USER_INPUT", message);
const COMPARISONS: readonly Comparison[] = ["gte", "lte", "eq", "range"];
const MAX_KEY = 256;
const MAX_FIELDS = 256;
const MAX_PREDICATES = 16;

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`${what}: unknown member ${k}`);
}

function str(v: unknown, what: string, max = MAX_KEY): string {
  if (typeof v !== "string" || v.length === 0 || v.length > max) throw bad(`${what} must be a short text`);
  return v;
}

function fieldName(v: unknown, what: string): string {
  const s = str(v, what, 64);
  if (!/^[a-z][A-Za-z0-9_]{0,63}$/.test(s)) throw bad(`${what} is not a field name`);
  return s;
}

function value(v: unknown, what: string): FieldValue {
  if (typeof v === "string" && v.length <= MAX_KEY) return v;
  if (typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  throw bad(`${what} must be a text, a boolean or a safe integer`);
}

function predicate(v: unknown, what: string): Predicate {
  const p = obj(v, what);
  only(p, ["field", "op", "value", "upper"], what);
  const op = p.op;
  if (typeof op !== "string" || !COMPARISONS.includes(op as Comparison)) throw bad(`${what}.op is unknown`);
  const out: Predicate = {
    field: fieldName(p.field, `${what}.field`),
    op: op as Comparison,
    value: value(p.value, `${what}.value`),
  };
  if (op === "range") out.upper = value(p.upper, `${what}.upper`);
  else if (p.upper !== undefined) throw bad(`${what}.upper is only for range`);
  return out;
}

/** Parses the `query` argument of a dataset call into a typed query; anything else is `BAD_USER_INPUT`. */
export function parseDatasetQuery(input: unknown): DatasetQuery {
  const q = obj(input, "query");
  switch (q.kind) {
    case "lookup": {
      only(q, ["kind", "key", "fields"], "query");
      if (!Array.isArray(q.fields) || q.fields.length === 0 || q.fields.length > MAX_FIELDS)
        throw bad("query.fields must list 1..256 fields");
      const fields = q.fields.map((f, i) => fieldName(f, `query.fields[${i}]`));
      if (new Set(fields).size !== fields.length) throw bad("query.fields repeats a field");
      return { kind: "lookup", key: str(q.key, "query.key"), fields };
    }
    case "threshold": {
      only(q, ["kind", "key", "field", "op", "value", "upper"], "query");
      const { key, kind, ...rest } = q;
      return { kind: "threshold", key: str(key, "query.key"), ...predicate(rest, "query") };
    }
    case "membership":
      only(q, ["kind", "key"], "query");
      return { kind: "membership", key: str(q.key, "query.key") };
    case "count":
      only(q, ["kind", "field", "from", "to"], "query");
      return {
        kind: "count",
        field: fieldName(q.field, "query.field"),
        from: value(q.from, "query.from"),
        to: value(q.to, "query.to"),
      };
    case "sum":
      only(q, ["kind", "field", "from", "to", "sumField"], "query");
      return {
        kind: "sum",
        field: fieldName(q.field, "query.field"),
        from: value(q.from, "query.from"),
        to: value(q.to, "query.to"),
        sumField: fieldName(q.sumField, "query.sumField"),
      };
    case "filter": {
      only(q, ["kind", "where", "aggregate", "sumField"], "query");
      if (!Array.isArray(q.where) || q.where.length === 0 || q.where.length > MAX_PREDICATES)
        throw bad("query.where must hold 1..16 predicates");
      if (q.aggregate !== "count" && q.aggregate !== "sum") throw bad("query.aggregate must be count or sum");
      const where = q.where.map((p, i) => predicate(p, `query.where[${i}]`));
      if (q.aggregate === "sum")
        return { kind: "filter", where, aggregate: "sum", sumField: fieldName(q.sumField, "query.sumField") };
      if (q.sumField !== undefined) throw bad("query.sumField is only for sum");
      return { kind: "filter", where, aggregate: "count" };
    }
    default:
      throw bad("query.kind is unknown");
  }
}

/** The dataset fields a query reads, which its grant must list. */
export function queryFields(q: DatasetQuery): string[] {
  switch (q.kind) {
    case "lookup":
      return q.fields;
    case "threshold":
      return [q.field];
    case "membership":
      return [];
    case "count":
      return [q.field];
    case "sum":
      return [q.field, q.sumField];
    case "filter":
      return [
        ...new Set([...q.where.map((p) => p.field), ...(q.sumField === undefined ? [] : [q.sumField])]),
      ];
  }
}

/** The ledger's query kind of a query (the label grants and receipts carry). */
export const queryKindOf = (q: DatasetQuery): QueryKind => q.kind;
