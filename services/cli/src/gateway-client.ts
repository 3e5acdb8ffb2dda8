import { flag, type OptionValues, str } from "./command.js";
import { UsageError } from "./commands.js";
import { documentId } from "./query-documents.js";
import { baseUrl, RemoteError, requestJson } from "./remote-api.js";
import { listenUrl, readPeerConfig } from "./tx-target.js";

/** A refusal carried in a GraphQL answer (`extensions.code`), or a dataset the catalog does not hold. */
export class QueryRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Gateway {
  url: string;
  trusted: boolean;
}

/** One GraphQL request to the officials' endpoint; `data` when there are no errors, else QueryRefused. */
export async function graphql(
  gw: Gateway,
  document: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const body = JSON.stringify(
    gw.trusted ? { documentId: `sha256:${documentId(document)}`, variables } : { query: document, variables },
  );
  const { status, json } = await requestJson(gw.url, "/graphql", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "graphql-client-name": "coken-cli" },
  });
  const errors = json.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as { message?: unknown; extensions?: { code?: unknown } };
    const code = typeof first.extensions?.code === "string" ? first.extensions.code : "GRAPHQL_ERROR";
    throw new QueryRefused(code, typeof first.message === "string" ? first.message : "refused");
  }
  if (status !== 200 || json.data === undefined)
    throw new RemoteError("BAD_RESPONSE", `${gw.url}/graphql answered ${status} without data`);
  return json.data;
}

/** This agency's gateway from `--gateway URL` or the gateway section of `--config FILE`; `--trusted` sends ids. */
export async function gatewayOf(v: OptionValues): Promise<Gateway> {
  const trusted = flag(v, "trusted");
  const given = str(v, "gateway");
  if (given !== undefined) return { url: baseUrl(given, "--gateway"), trusted };
  const configFile = str(v, "config");
  if (configFile === undefined)
    throw new UsageError(
      "name the local gateway: --gateway URL (e.g. http://127.0.0.1:8443) or --config FILE",
    );
  const gw = (await readPeerConfig(configFile)).gateway;
  if (gw === undefined) throw new UsageError(`--config ${configFile} has no gateway section`);
  // The officials' endpoint on the gateway's own address; with TLS the certificate names the public URL.
  const url =
    gw.tls === null && gw.port !== 0 ? listenUrl(gw.host, gw.port) : gw.publicUrl.replace(/\/+$/, "");
  return { url, trusted };
}
