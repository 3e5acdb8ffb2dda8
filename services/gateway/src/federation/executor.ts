import type { AgencyId } from "@coken/ledger";
import { bytesEqual } from "@coken/ledger";
import type { Executor } from "@graphql-tools/utils";
import { print } from "graphql";
import { GatewayError } from "../errors.js";
import { resultHash } from "../signing/hashes.js";
import type { SignedTransport } from "./transport.js";

/**
 * An @graphql-tools executor for one agency's `/peer/graphql` over the signed transport, for stitching and for
 * operations other than dataset calls (schema introspection, receipt states). Every response must be signed by
 * that agency over exactly the `data` returned. Dataset calls go through `FederationClient.call`, which also
 * keeps the receipt for co-signing.
 */
export function executorFor(
  transport: SignedTransport,
  agency: AgencyId,
  hasher: Parameters<typeof resultHash>[0],
): Executor {
  return (async (request) => {
    const upstream = await transport.send(
      agency,
      {
        document: print(request.document),
        variables: (request.variables ?? {}) as Record<string, unknown>,
        operationName: request.operationName,
        grant: null,
        dataset: null,
      },
      {
        ...(request.signal ? { signal: request.signal } : {}),
      },
    );
    const result = upstream.result;
    if (
      upstream.response !== null &&
      !bytesEqual(upstream.response.resultHash, resultHash(hasher, result.data ?? null))
    )
      throw new GatewayError("UNAUTHENTICATED", "the response data does not match the provider's signature");
    return result;
  }) as Executor;
}
