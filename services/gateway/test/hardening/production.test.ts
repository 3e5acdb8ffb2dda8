import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../src/errors.js";
import { documentId, parseManifest } from "../../src/hardening/persisted.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes } from "../official/client.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

const SELF_QUERY = "query Self { self { agencyId } }";
const INTROSPECT = "query Intro { __schema { queryType { name } } }";

async function post(url: string, body: unknown) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Parameters<typeof codes>[0] & { data?: unknown } };
}

describe("hardening: production mode", () => {
  let world: World;
  let server: GatewayServer;
  let url: string;
  before(async () => {
    world = await buildWorld();
    const manifest = JSON.stringify({
      [documentId(SELF_QUERY)]: SELF_QUERY,
      [documentId(INTROSPECT)]: INTROSPECT,
    });
    server = createGatewayServer({
      mode: "production",
      persistedDocuments: parseManifest(manifest),
      officialRateLimit: null,
    })({
      official: officialOf(world, new ScriptedFederation()),
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await world.close();
  });

  it("runs trusted documents by id (documentId or the persistedQuery extension)", async () => {
    const byId = await post(url, { documentId: `sha256:${documentId(SELF_QUERY)}` });
    assert.deepEqual(byId.body.data, { self: { agencyId: "bj.housing" } });
    const byExtension = await post(url, {
      extensions: { persistedQuery: { version: 1, sha256Hash: documentId(SELF_QUERY) } },
    });
    assert.deepEqual(byExtension.body.data, { self: { agencyId: "bj.housing" } });
  });

  it("refuses arbitrary documents, even ones the manifest holds, and unknown ids", async () => {
    const text = await post(url, { query: SELF_QUERY });
    assert.deepEqual(codes(text.body), ["PERSISTED_DOCUMENT_REQUIRED"]);
    assert.equal(text.body.data, undefined);
    const unknown = await post(url, { documentId: "ab".repeat(32) });
    assert.deepEqual(codes(unknown.body), ["PERSISTED_DOCUMENT_NOT_FOUND"]);
    const none = await post(url, {});
    assert.deepEqual(codes(none.body), ["PERSISTED_DOCUMENT_REQUIRED"]);
  });

  it("refuses introspection even in a trusted document, and serves no GraphiQL", async () => {
    const intro = await post(url, { documentId: documentId(INTROSPECT) });
    assert.equal(intro.body.data, undefined);
    assert.ok((intro.body.errors?.length ?? 0) > 0);
    assert.ok(codes(intro.body).every((c) => c === "GRAPHQL_VALIDATION_FAILED"));
    const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html", "x-coken-csrf": "1" } });
    assert.doesNotMatch(await page.text(), /graphiql/i);
  });

  it("will not start without a manifest, and refuses a manifest whose ids lie", () => {
    assert.throws(
      () =>
        createGatewayServer({ mode: "production" })({
          official: officialOf(world, new ScriptedFederation()),
        }),
      RangeError,
    );
    assert.throws(
      () => parseManifest(JSON.stringify({ [documentId(SELF_QUERY)]: INTROSPECT })),
      (e) => e instanceof GatewayError && e.code === "BAD_USER_INPUT",
    );
    assert.throws(() => parseManifest("[1,2]"), GatewayError);
    assert.throws(() => parseManifest("{"), GatewayError);
  });
});

describe("hardening: dev mode with a manifest", () => {
  it("runs trusted documents by id and document texts as well", async () => {
    const world = await buildWorld();
    const server = createGatewayServer({
      persistedDocuments: parseManifest(JSON.stringify({ [documentId(SELF_QUERY)]: SELF_QUERY })),
      officialRateLimit: null,
    })({ official: officialOf(world, new ScriptedFederation()) });
    try {
      const url = await server.listen();
      const byId = await post(url, { documentId: `sha256:${documentId(SELF_QUERY)}` });
      assert.deepEqual(byId.body.data, { self: { agencyId: "bj.housing" } });
      const text = await post(url, { query: "{ self { name } }" });
      assert.deepEqual(text.body.data, { self: { name: "Agency bj.housing" } });
      const unknown = await post(url, { documentId: "ab".repeat(32) });
      assert.deepEqual(codes(unknown.body), ["PERSISTED_DOCUMENT_NOT_FOUND"]);
    } finally {
      await server.close();
      await world.close();
    }
  });
});
