import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createGatewayServer } from "../../src/server.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

describe("gateway HTTP server routes", () => {
  let world: World;
  before(async () => {
    world = await buildWorld();
  });
  after(async () => {
    await world.close();
  });

  it("mounts a fetch-style peer handler (function or object) at /peer/graphql, body-limited like /graphql", async () => {
    const seen: { method: string; path: string; body: string; traceparent: string | null }[] = [];
    const handler = async (request: Request) => {
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: await request.text(),
        traceparent: request.headers.get("traceparent"),
      });
      return Response.json({ data: { ok: true } }, { headers: { "x-peer": "1" } });
    };
    for (const peerEndpoint of [handler, { fetch: handler }]) {
      const server = createGatewayServer({ officialRateLimit: null, maxBodyBytes: 1024 })({
        official: officialOf(world, new ScriptedFederation()),
        peerEndpoint,
      });
      const url = await server.listen();
      try {
        const res = await fetch(`${url}/peer/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          },
          body: '{"query":"{ ok }"}',
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-peer"), "1");
        assert.deepEqual(await res.json(), { data: { ok: true } });
        const big = await fetch(`${url}/peer/graphql`, { method: "POST", body: "x".repeat(4096) });
        assert.equal(big.status, 413);
      } finally {
        await server.close();
      }
    }
    assert.equal(seen.length, 2, "the oversized bodies never reached the handler");
    assert.deepEqual(seen[0], {
      method: "POST",
      path: "/peer/graphql",
      body: '{"query":"{ ok }"}',
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
  });

  it("answers /healthz, /metrics, and 404 for unknown routes and for /peer/graphql when nothing is mounted", async () => {
    const server = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, new ScriptedFederation()),
    });
    const url = await server.listen();
    try {
      const health = await fetch(`${url}/healthz`);
      assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);
      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
      for (const path of ["/peer/graphql", "/admin", "/graphql/extra"]) {
        const res = await fetch(`${url}${path}`, { method: "POST", body: "{}" });
        assert.equal(res.status, 404, path);
        assert.equal(
          ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
          "NOT_FOUND",
        );
      }
    } finally {
      await server.close();
    }
  });
});
