import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import type { DatasetCall, FederationClient, VerifiedAnswer } from "../../src/federation/types.js";
import { createGatewayServer } from "../../src/server.js";
import { codes, gql } from "../official/client.js";
import { buildWorld, OWNER, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

/** A federation client whose calls wait until released, to hold requests in flight. */
class GatedFederation implements FederationClient {
  private readonly inner = new ScriptedFederation();
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  started: Promise<void>;
  private markStarted: () => void = () => {};
  constructor() {
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
  }
  async call(call: DatasetCall): Promise<VerifiedAnswer> {
    this.markStarted();
    await this.gate;
    return this.inner.call(call);
  }
  open(): void {
    this.release();
  }
}

const COUNT = `{ region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") { count(field: "area", from: "1", to: "2") { count } } } } }`;

/** Raw POST with a declared length and a body streamed in chunks (no Content-Length when `chunked`). */
function rawPost(url: string, body: Buffer, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(chunked ? {} : { "content-length": String(body.length) }),
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe("hardening: body size, rate limits, graceful shutdown", () => {
  let world: World;
  before(async () => {
    world = await buildWorld();
  });
  after(async () => {
    await world.close();
  });

  it("refuses a body over the limit with 413 PAYLOAD_TOO_LARGE, declared or streamed, and keeps serving", async () => {
    const server = createGatewayServer({ maxBodyBytes: 64 * 1024, officialRateLimit: null })({
      official: officialOf(world, new ScriptedFederation()),
    });
    const url = await server.listen();
    try {
      const huge = Buffer.from(JSON.stringify({ query: `{ __typename } # ${"x".repeat(200 * 1024)}` }));
      for (const chunked of [false, true]) {
        const res = await rawPost(url, huge, chunked).catch((e: NodeJS.ErrnoException) => ({
          status: -1,
          text: e.code ?? "",
        }));
        // A streamed body may be cut off by the server's close before the client reads the answer.
        if (res.status !== -1) {
          assert.equal(res.status, 413);
          assert.equal(JSON.parse(res.text).errors[0].extensions.code, "PAYLOAD_TOO_LARGE");
        } else {
          assert.ok(["ECONNRESET", "EPIPE"].includes(res.text), res.text);
        }
      }
      const fine = await gql(url, "{ __typename }");
      assert.deepEqual(fine.body.data, { __typename: "Query" });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(
        metrics,
        /coken_gateway_errors_total\{endpoint="official",code="PAYLOAD_TOO_LARGE"\} [12]/,
      );
    } finally {
      await server.close();
    }
  });

  it("limits each official separately, refilling with time", async () => {
    let now = 1_000_000;
    const server = createGatewayServer({ officialRateLimit: { capacity: 3, perSecond: 1 } })({
      official: officialOf(world, new ScriptedFederation()),
      authenticateOfficial: (headers) => headers.get("x-official"),
      clock: () => now,
    });
    const url = await server.listen();
    try {
      const ask = async (who: string) =>
        (await gql(url, "{ __typename }", undefined, { "x-official": who })).status;
      assert.deepEqual([await ask("alice"), await ask("alice"), await ask("alice")], [200, 200, 200]);
      const refused = await gql(url, "{ __typename }", undefined, { "x-official": "alice" });
      assert.equal(refused.status, 429);
      assert.deepEqual(codes(refused.body), ["RATE_LIMITED"]);
      assert.equal(await ask("bob"), 200, "another official has a bucket of its own");
      now += 1000;
      assert.equal(await ask("alice"), 200, "one token refilled after a second");
      assert.equal(await ask("alice"), 429);
    } finally {
      await server.close();
    }
  });

  it("drains: a request in flight completes, new connections are refused, then close resolves", async () => {
    const federation = new GatedFederation();
    const server = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, federation),
    });
    const url = await server.listen();
    const inFlight = gql(url, COUNT);
    await federation.started;
    const closed = server.close();
    await assert.rejects(fetch(`${url}/healthz`), "no new connections while draining");
    federation.open();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(res.body.data.region.agency.dataset.count.count, 42);
    await closed;
  });

  it("closes anyway when the deadline passes with a request stuck", async () => {
    const federation = new GatedFederation();
    const server = createGatewayServer({ officialRateLimit: null, shutdownDeadlineMs: 100 })({
      official: officialOf(world, federation),
    });
    const url = await server.listen();
    const stuck = gql(url, COUNT).then(
      () => "answered",
      () => "cut off",
    );
    await federation.started;
    await server.close();
    assert.equal(await stuck, "cut off");
    federation.open();
  });
});
