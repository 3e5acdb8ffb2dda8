/** POSTs a GraphQL request as JSON; returns the status and parsed body. */
export async function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLBody }> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

export interface GraphQLBody {
  // biome-ignore lint/suspicious/noExplicitAny: test responses are walked by shape
  data?: any;
  errors?: { message: string; extensions?: { code?: string }; path?: (string | number)[] }[];
}

/** The error codes of a response, in order. */
export const codes = (body: GraphQLBody): (string | undefined)[] =>
  (body.errors ?? []).map((e) => e.extensions?.code);
