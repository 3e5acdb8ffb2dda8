import { ClientError, GraphQLClient } from "graphql-request";

/** A GraphQL error with the gateway's stable code (`extensions.code`), or a transport failure. */
export class GatewayCallError extends Error {
  override readonly name = "GatewayCallError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Same origin as the page: the dashboard is served by the gateway it talks to. The header marks the request
// as not a browser's simple request (the gateway's CSRF prevention).
const client = new GraphQLClient(new URL("/graphql", window.location.origin).toString(), {
  headers: { "x-coken-csrf": "1" },
});

/** Runs one document against this agency's `/graphql`; a refusal throws GatewayCallError with its code. */
export async function gql<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  try {
    return await client.request<T>(document, variables);
  } catch (e) {
    if (e instanceof ClientError) {
      const first = e.response.errors?.[0];
      const code = (first?.extensions as { code?: string } | undefined)?.code ?? `HTTP_${e.response.status}`;
      throw new GatewayCallError(code, first?.message ?? e.message);
    }
    throw new GatewayCallError("UNREACHABLE", e instanceof Error ? e.message : String(e));
  }
}

export interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Every node of a connection, page by page through `$after`, up to `maxPages` pages (`truncated` says when
 * more were left).
 */
export async function readPages<D, T>(
  document: string,
  variables: Record<string, unknown>,
  pick: (data: D) => Page<T>,
  maxPages = 10,
): Promise<{ nodes: T[]; first: D | null; truncated: boolean }> {
  const nodes: T[] = [];
  let first: D | null = null;
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const data: D = await gql<D>(document, { ...variables, after });
    first ??= data;
    const connection = pick(data);
    nodes.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) return { nodes, first, truncated: false };
    after = connection.pageInfo.endCursor;
  }
  return { nodes, first, truncated: true };
}
