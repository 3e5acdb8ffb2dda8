import manifest from "./trusted-documents.json" with { type: "json" };

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

// Same origin as the page: the dashboard is served by the gateway it talks to.
const ENDPOINT = new URL("/graphql", window.location.origin).toString();
// Documents go by id (a production gateway runs trusted documents only); the peer serving the dashboard trusts
// every document of this manifest.
const ID_OF = new Map(Object.entries(manifest as Record<string, string>).map(([id, text]) => [text, id]));

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs one document against this agency's `/graphql`; a refusal throws GatewayCallError with its code. */
export async function gql<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  const id = ID_OF.get(document);
  if (id === undefined)
    throw new GatewayCallError("UNTRUSTED_DOCUMENT", "the dashboard sends only its trusted documents");
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        // Marks the request as not a browser's simple request (the gateway's CSRF prevention).
        "x-coken-csrf": "1",
      },
      body: JSON.stringify({ documentId: `sha256:${id}`, variables }),
    });
  } catch (e) {
    throw new GatewayCallError("UNREACHABLE", e instanceof Error ? e.message : String(e));
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<T>;
  const first = body.errors?.[0];
  if (first !== undefined)
    throw new GatewayCallError(first.extensions?.code ?? `HTTP_${response.status}`, first.message);
  if (!response.ok || body.data == null)
    throw new GatewayCallError(`HTTP_${response.status}`, response.statusText || "no data in the answer");
  return body.data;
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
