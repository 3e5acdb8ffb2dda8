import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Executor } from "@graphql-tools/utils";
import { print } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";
import { createGatewayMetrics } from "../../src/observability/metrics.js";
import { officialSchema } from "../../src/official/schema.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { agencyNamespace, stitchOfficialSchema } from "../../src/stitching/stitch.js";
import { gql } from "../official/client.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

/** A stand-in for another agency's `/peer/graphql`: a separate yoga server on its own port. */
function remoteAgency(agency: string, height: number) {
  let calls = 0;
  const yoga = createYoga({
    logging: false,
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Status { agency: String! height: Int! }
        type Query { status: Status! answer(dataset: String!): String! }
      `,
      resolvers: {
        Query: {
          status: () => {
            calls++;
            return { agency, height };
          },
          answer: () => "raw answer outside the receipt path",
        },
      },
    }),
  });
  const server = createServer(yoga);
  return { server, calls: () => calls };
}

/** Plain HTTP executor, in the shape of the signed `executorFor` the federation layer provides. */
function httpExecutor(url: string): Executor {
  return (async ({ document, variables, operationName }) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: print(document), variables, operationName }),
    });
    return res.json();
  }) as Executor;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

describe("stitching: local schema plus one remote subschema per agency, over HTTP", () => {
  let world: World;
  let gateway: GatewayServer;
  let url: string;
  const sh = remoteAgency("sh.land-registry", 120);
  const gz = remoteAgency("gz.tax", 77);
  const metrics = createGatewayMetrics();
  before(async () => {
    world = await buildWorld();
    const [shUrl, gzUrl] = [await listen(sh.server), await listen(gz.server)];
    const schema = await stitchOfficialSchema(
      officialSchema,
      [
        { agency: "sh.land-registry", executor: httpExecutor(shUrl), expose: ["status"] },
        { agency: "gz.tax", executor: httpExecutor(gzUrl), expose: ["status"] },
      ],
      metrics,
    );
    gateway = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, new ScriptedFederation()),
      officialSchema: schema,
      metrics,
    });
    url = await gateway.listen();
  });
  after(async () => {
    await gateway.close();
    sh.server.close();
    gz.server.close();
    await world.close();
  });

  it("answers local and remote fields in one request, each agency under its namespace", async () => {
    const res = await gql(
      url,
      `{ self { agencyId } sh_land_registry_status { agency height } gz_tax_status { agency height } }`,
    );
    assert.deepEqual(res.body.errors, undefined);
    assert.deepEqual(res.body.data, {
      self: { agencyId: "bj.housing" },
      sh_land_registry_status: { agency: "sh.land-registry", height: 120 },
      gz_tax_status: { agency: "gz.tax", height: 77 },
    });
    assert.equal(sh.calls(), 1);
    assert.equal(gz.calls(), 1);
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /coken_gateway_upstream_duration_seconds_count\{provider="gz\.tax",outcome="ok"\} \d/);
  });

  it("keeps unexposed remote root fields out and remote types namespaced", async () => {
    const res = await gql(url, `{ __schema { queryType { fields { name } } types { name } } }`);
    const fields = res.body.data.__schema.queryType.fields.map((f: { name: string }) => f.name);
    assert.ok(fields.includes("catalog") && fields.includes("gz_tax_status"));
    assert.ok(!fields.some((f: string) => f.endsWith("_answer")), "dataset answers stay on the receipt path");
    const types = res.body.data.__schema.types.map((t: { name: string }) => t.name);
    assert.ok(types.includes("sh_land_registry_Status") && types.includes("gz_tax_Status"));
    assert.ok(!types.includes("Status"));
  });

  it("still resolves local resolvers with the request context through the stitched schema", async () => {
    const res = await gql(url, `{ grants(role: RECEIVED) { totalCount } }`);
    assert.deepEqual(res.body.data, { grants: { totalCount: 2 } });
  });

  it("derives GraphQL-safe namespaces from agency ids", () => {
    assert.equal(agencyNamespace("sh.land-registry"), "sh_land_registry");
    assert.equal(agencyNamespace("9.tax"), "_9_tax");
  });
});
