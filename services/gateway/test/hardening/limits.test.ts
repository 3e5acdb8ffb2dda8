import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "../official/client.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

describe("hardening: query limits, introspection, GraphiQL, CSRF", () => {
  let world: World;
  let dev: GatewayServer;
  let url: string;
  before(async () => {
    world = await buildWorld();
    dev = createGatewayServer({
      officialRateLimit: null,
      limits: { maxDepth: 6, maxAliases: 3, maxTokens: 300, maxCost: 25, maxDirectives: 3 },
    })({ official: officialOf(world, new ScriptedFederation()) });
    url = await dev.listen();
  });
  after(async () => {
    await dev.close();
    await world.close();
  });

  it("refuses each limit with its own code, before executing anything", async () => {
    const deep = await gql(
      url,
      "{ self { region { agencies { region { agencies { region { agencies { agencyId } } } } } } } }",
    );
    assert.ok(codes(deep.body).includes("DEPTH_LIMIT"), JSON.stringify(deep.body));
    assert.equal(deep.body.data, undefined);
    const aliases = await gql(
      url,
      "{ a: self { agencyId } b: self { agencyId } c: self { agencyId } d: self { agencyId } }",
    );
    assert.ok(codes(aliases.body).includes("ALIAS_LIMIT"), JSON.stringify(aliases.body));
    const tokens = await gql(url, `{ ${Array.from({ length: 400 }, () => "__typename").join(" ")} }`);
    assert.ok(codes(tokens.body).includes("TOKEN_LIMIT"), JSON.stringify(tokens.body));
    const directives = await gql(
      url,
      "{ __typename @include(if: true) @include(if: true) @include(if: true) @include(if: true) }",
    );
    assert.ok(codes(directives.body).includes("DIRECTIVE_LIMIT"));
    const costly = await gql(
      url,
      "{ regions { agencies { datasets { fields { name type indexed personal } tags title description } } } }",
    );
    assert.ok(codes(costly.body).includes("COST_LIMIT"), JSON.stringify(costly.body));
    // The limit values are not echoed back to a prober.
    for (const body of [deep.body, aliases.body, tokens.body, costly.body]) {
      assert.doesNotMatch(JSON.stringify(body), /\b(6|3|300|25)\b.*exceed|found \d/);
    }
    const ok = await gql(url, "{ a: self { agencyId } b: self { agencyId } }");
    assert.deepEqual(ok.body.errors, undefined);
  });

  it("hides field suggestions", async () => {
    const res = await gql(url, "{ slef { agencyId } }");
    assert.equal(res.status, 400);
    assert.doesNotMatch(JSON.stringify(res.body), /Did you mean/);
  });

  it("in dev mode allows introspection and serves GraphiQL", async () => {
    const intro = await gql(url, "{ __schema { queryType { name } } }");
    assert.deepEqual(intro.body.data, { __schema: { queryType: { name: "Query" } } });
    const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /graphiql/i);
  });

  it("refuses a simple (CSRF-able) request without a preflight header", async () => {
    const get = await fetch(`${url}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { accept: "application/json" },
    });
    assert.equal(get.status, 403);
    const form = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    assert.equal(form.status, 403);
    const withHeader = await fetch(`${url}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { accept: "application/json", "x-coken-csrf": "1" },
    });
    assert.equal(withHeader.status, 200);
    assert.deepEqual(await withHeader.json(), { data: { __typename: "Query" } });
  });
});
