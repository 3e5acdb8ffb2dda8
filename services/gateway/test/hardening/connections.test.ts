import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CommittedState, createHasher } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { ConnectionTally, checkHttpLimits, DEFAULT_HTTP_LIMITS } from "../../src/hardening/connections.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { ScriptedFederation } from "../official/fixtures.js";
import { OneConnection, trickleBody, trickleHeaders } from "./connection-probes.js";

describe("connection tally", () => {
  it("caps connections per client and in all, and frees a slot when one closes", () => {
    const tally = new ConnectionTally(2, 3);
    assert.deepEqual(
      ["a", "a", "a", "b", "c"].map((c) => tally.admit(c)),
      [true, true, false, true, false],
    );
    assert.equal(tally.open, 3);
    tally.release("a");
    assert.equal(tally.openFrom("a"), 1);
    assert.equal(tally.admit("c"), true);
    // Releasing what was never admitted changes nothing.
    tally.release("zz");
    assert.equal(tally.open, 3);
  });

  it("refuses limits Node could not apply", () => {
    assert.throws(() => checkHttpLimits({ ...DEFAULT_HTTP_LIMITS, headersTimeoutMs: 30_000 }), RangeError);
    assert.throws(() => checkHttpLimits({ ...DEFAULT_HTTP_LIMITS, maxConnections: 0 }), RangeError);
    assert.throws(() => checkHttpLimits({ ...DEFAULT_HTTP_LIMITS, bodyTimeoutMs: 1.5 }), RangeError);
  });
});

describe("gateway HTTP server: deadlines and connection caps", () => {
  const BODY_MS = 400;
  const HEADERS_MS = 500;
  let store: Store;
  let server: GatewayServer;
  let url: string;
  before(async () => {
    // An empty chain: these tests never reach a resolver, only the HTTP layer in front of them.
    store = await openStore({ kind: "pglite" });
    server = createGatewayServer({
      officialRateLimit: null,
      http: {
        headersTimeoutMs: HEADERS_MS,
        bodyTimeoutMs: BODY_MS,
        requestTimeoutMs: 10_000,
        maxConnectionsPerClient: 2,
        maxConnections: 3,
      },
    })({
      official: {
        self: "sh.land",
        ledger: CommittedState.fromEncoded(createHasher("sha256"), []),
        chain: store.ledger,
        federation: new ScriptedFederation(),
      },
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await store.close();
  });

  it("cuts off a body trickling in a byte every 100 ms at the body deadline, with 408 REQUEST_TIMEOUT", async () => {
    const cut = await trickleBody(url, "/graphql", 100);
    // The deadline runs from when the server had the headers, which is after the client sent them.
    assert.ok(cut.afterMs >= BODY_MS - 5, `closed after ${cut.afterMs} ms`);
    assert.ok(cut.afterMs < BODY_MS + 4000, `closed after ${cut.afterMs} ms`);
    assert.ok(cut.sent >= 2, "the client was still sending");
    if (cut.answer !== "") {
      assert.match(cut.answer, /^HTTP\/1\.1 408 /);
      assert.match(cut.answer, /REQUEST_TIMEOUT/);
    }
    const metrics = new OneConnection(url);
    const text = (await metrics.get("/metrics")).body;
    metrics.close();
    assert.match(text, /coken_gateway_errors_total\{endpoint="official",code="REQUEST_TIMEOUT"\} 1/);
  });

  it("cuts off headers trickling in at the header deadline", async () => {
    const cut = await trickleHeaders(url, 20);
    assert.ok(cut.afterMs >= HEADERS_MS - 5, `closed after ${cut.afterMs} ms`);
    assert.ok(cut.afterMs < HEADERS_MS + 4000, `closed after ${cut.afterMs} ms`);
    assert.doesNotMatch(cut.answer, / 200 /);
  });

  it("refuses the connection past the per-client cap (and past the total cap) while the first ones work", async () => {
    const first = new OneConnection(url);
    const second = new OneConnection(url);
    const opened: OneConnection[] = [first, second];
    try {
      assert.equal((await first.get("/healthz")).status, 200);
      assert.equal((await second.get("/healthz")).status, 200);
      const third = new OneConnection(url);
      opened.push(third);
      const refused = await third.get("/healthz");
      assert.equal(refused.status, 503, refused.body);
      assert.equal(JSON.parse(refused.body).errors[0].extensions.code, "TOO_MANY_CONNECTIONS");
      // The first two connections keep working.
      assert.equal((await first.get("/healthz")).status, 200);
      assert.equal((await second.get("/healthz")).status, 200);
      // Another client address has slots of its own, up to the total cap.
      const other = new OneConnection(url, "127.0.0.2");
      opened.push(other);
      assert.equal((await other.get("/healthz")).status, 200);
      const beyondTotal = new OneConnection(url, "127.0.0.3");
      opened.push(beyondTotal);
      assert.equal((await beyondTotal.get("/healthz")).status, 503);
      // Closing one frees its slot (once the server has seen it close).
      first.close();
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        const next = new OneConnection(url);
        opened.push(next);
        status = (await next.get("/healthz")).status;
        next.close();
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status, 200);
    } finally {
      for (const c of opened) c.close();
    }
  });
});
