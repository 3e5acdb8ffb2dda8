import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga } from "graphql-yoga";
import { createGatewayMetrics } from "../src/observability/metrics.js";
import { officialSchema } from "../src/official/schema.js";
import { createGatewayServer } from "../src/server.js";
import type { Mode } from "./paths.js";
import { ASKER, type benchWorld, DATASET, PROVIDER } from "./world.js";

type World = Awaited<ReturnType<typeof benchWorld>>;

const QUERY = `query Catalog { self { agencyId account { balance } }
  region(id: "CN-SH") { agency(id: "${PROVIDER}") { dataset(id: "${DATASET}") { title fields { name type } } } }
  grants(role: RECEIVED) { totalCount edges { node { grantId quota used active } } } }`;

/**
 * The officials' `/graphql` over HTTP: a bare yoga with the same schema and context, against the gateway server
 * (CSRF prevention, nesting and armor limits, error masking, per-request metrics, trace spans, rate limit).
 */
export async function officialsMode(world: World): Promise<{ mode: Mode; close(): Promise<void> }> {
  const official = {
    self: ASKER,
    ledger: world.ledger.state,
    chain: world.providerStore.ledger,
    federation: { call: () => Promise.reject(new Error("not used by the bench")) },
  };
  const bare = createYoga({
    logging: false,
    schema: officialSchema,
    context: () => ({ official, officialId: null, now: Date.now, federate: official.federation.call }),
  });
  const bareServer = createServer(bare);
  await new Promise<void>((resolve) => bareServer.listen(0, "127.0.0.1", resolve));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/graphql`;
  const gateway = createGatewayServer({ officialRateLimit: { capacity: 1e9, perSecond: 1e9 } })({
    official,
    metrics: createGatewayMetrics(),
  });
  const gatewayUrl = `${await gateway.listen()}/graphql`;
  const call = (url: string) => async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: QUERY }),
    });
    const json = (await res.json()) as { data?: { grants?: { totalCount?: number } }; errors?: unknown };
    if (json.errors !== undefined || json.data?.grants?.totalCount !== 1)
      throw new Error("officials' answer wrong");
  };
  return {
    mode: { name: "officials' /graphql (HTTP)", bare: call(bareUrl), coken: call(gatewayUrl) },
    close: async () => {
      await gateway.close();
      await new Promise((r) => bareServer.close(r));
    },
  };
}
