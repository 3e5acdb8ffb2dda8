import type { AgencyId } from "@coken/ledger";
import { stitchSchemas } from "@graphql-tools/stitch";
import type { Executor } from "@graphql-tools/utils";
import { FilterRootFields, RenameRootFields, RenameTypes, schemaFromExecutor } from "@graphql-tools/wrap";
import type { GraphQLSchema } from "graphql";
import type { GatewayMetrics } from "../observability/metrics.js";

/** One other agency's `/peer/graphql`, as a remote subschema of the officials' schema. */
export interface RemoteAgency {
  agency: AgencyId;
  /** Signed executor for the agency (the federation layer's `executorFor`). */
  executor: Executor;
  /** The agency's peer schema when known; otherwise it is introspected through the executor. */
  schema?: GraphQLSchema;
  /**
   * Root query fields of the peer schema officials may reach directly. Dataset answers are not among them:
   * they go through the FederationClient, which keeps their receipts for co-signing.
   */
  expose: readonly string[];
}

/** GraphQL-safe namespace for an agency id: "sh.land-registry" → "sh_land_registry". */
export function agencyNamespace(agency: AgencyId): string {
  return agency.replace(/[^A-Za-z0-9]/g, "_").replace(/^([0-9])/, "_$1");
}

/** Times every call of `executor` into the upstream latency histogram. */
export function observedExecutor(agency: AgencyId, executor: Executor, metrics: GatewayMetrics): Executor {
  return (async (request) => {
    const started = performance.now();
    try {
      const result = await executor(request);
      metrics.observeUpstream(agency, (performance.now() - started) / 1000, "ok");
      return result;
    } catch (e) {
      const timeout = (e as { code?: unknown }).code === "UPSTREAM_TIMEOUT";
      metrics.observeUpstream(agency, (performance.now() - started) / 1000, timeout ? "timeout" : "error");
      throw e;
    }
  }) as Executor;
}

/**
 * The officials' schema stitched from the local subschema and one remote subschema per agency. Each remote
 * keeps only its exposed root fields, and its types and root fields are prefixed with the agency namespace, so
 * two agencies' schemas never collide with each other or with the local one.
 */
export async function stitchOfficialSchema(
  local: GraphQLSchema,
  remotes: readonly RemoteAgency[],
  metrics?: GatewayMetrics,
): Promise<GraphQLSchema> {
  const subschemas = await Promise.all(
    remotes.map(async (remote) => {
      const namespace = agencyNamespace(remote.agency);
      const executor = metrics ? observedExecutor(remote.agency, remote.executor, metrics) : remote.executor;
      const schema = remote.schema ?? (await schemaFromExecutor(executor));
      const exposed = new Set(remote.expose);
      return {
        schema,
        executor,
        transforms: [
          new FilterRootFields((operation, field) => operation === "Query" && exposed.has(field)),
          new RenameTypes((name) => `${namespace}_${name}`),
          new RenameRootFields((_operation, name) => `${namespace}_${name}`),
        ],
      };
    }),
  );
  return stitchSchemas({ subschemas: [{ schema: local }, ...subschemas] });
}
