import { GatewayError } from "../errors.js";

/** Largest page an official may ask for. */
export const MAX_PAGE = 100;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** Checks a `first` argument. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) {
    throw new GatewayError("BAD_USER_INPUT", `first must be an integer from 0 to ${MAX_PAGE}`);
  }
  return n;
}

/** Opaque cursor text for a JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Parses a cursor made by `encodeCursor`, checked by `accept`; BAD_USER_INPUT otherwise. */
export function decodeCursor<T>(cursor: string, accept: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (!accept(value)) throw new GatewayError("BAD_USER_INPUT", "after is not a cursor of this connection");
  return value;
}

/** Builds a connection from the nodes of one page, given whether more follow. */
export function connection<T>(
  nodes: T[],
  cursorOf: (node: T, index: number) => string,
  hasNextPage: boolean,
  hasPreviousPage: boolean,
): Connection<T> {
  const edges = nodes.map((node, i) => ({ cursor: cursorOf(node, i), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const isString = (v: unknown): v is string => typeof v === "string";

/**
 * Pages a list sorted by a unique string key: the cursor is the key, so a page stays correct when items are
 * added or removed between requests.
 */
export function keyedPage<T>(
  sorted: T[],
  keyOf: (item: T) => string,
  first: number | null | undefined,
  after: string | null | undefined,
): Connection<T> & { totalCount: number } {
  const n = pageSize(first);
  const afterKey = after == null ? null : decodeCursor(after, isString);
  const start = afterKey === null ? 0 : sorted.findIndex((item) => keyOf(item) > afterKey);
  const from = start === -1 ? sorted.length : start;
  const nodes = sorted.slice(from, from + n);
  return {
    ...connection(nodes, (item) => encodeCursor(keyOf(item)), from + n < sorted.length, from > 0),
    totalCount: sorted.length,
  };
}
