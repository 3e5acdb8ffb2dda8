import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_HTTP_LIMITS } from "@coken/gateway";
import { ConfigError, parsePeerConfig } from "../src/config.js";
import { HTTP_DEFAULTS } from "../src/http-config.js";

const MINIMAL = {
  genesis: "genesis.json",
  keystore: "keystore.json",
  store: { kind: "pglite", dataDir: "data" },
  p2p: { listen: "/ip4/127.0.0.1/tcp/0" },
};

const refusal = (doc: unknown): string => {
  try {
    parsePeerConfig(doc, "/etc/coken");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  return "accepted";
};

describe("http limits of the operator API and the gateway", () => {
  it("default to the gateway's own defaults, for both servers", () => {
    assert.deepEqual(HTTP_DEFAULTS, DEFAULT_HTTP_LIMITS);
    const c = parsePeerConfig({ ...MINIMAL, gateway: { publicUrl: "https://x.example" } }, "/etc/coken");
    assert.deepEqual(c.api.http, DEFAULT_HTTP_LIMITS);
    assert.deepEqual(c.gateway?.http, DEFAULT_HTTP_LIMITS);
  });

  it("take each field on its own, the others keeping their defaults", () => {
    const c = parsePeerConfig(
      {
        ...MINIMAL,
        api: { http: { bodyTimeoutMs: 2000 } },
        gateway: {
          publicUrl: "https://x.example",
          http: { maxConnectionsPerClient: 500, maxConnections: 5000 },
        },
      },
      "/etc/coken",
    );
    assert.deepEqual(c.api.http, { ...DEFAULT_HTTP_LIMITS, bodyTimeoutMs: 2000 });
    assert.deepEqual(c.gateway?.http, {
      ...DEFAULT_HTTP_LIMITS,
      maxConnectionsPerClient: 500,
      maxConnections: 5000,
    });
  });

  it("refuse what the servers could not apply, naming the field", () => {
    assert.match(
      refusal({ ...MINIMAL, api: { http: { bodyTimeoutMs: 0 } } }),
      /\$\.api\.http\.bodyTimeoutMs: expected an integer/,
    );
    assert.match(refusal({ ...MINIMAL, api: { http: { bogus: 1 } } }), /\$\.api\.http\.bogus: unknown field/);
    assert.match(refusal({ ...MINIMAL, api: { http: [] } }), /\$\.api\.http: expected an object/);
    assert.match(
      refusal({
        ...MINIMAL,
        gateway: { publicUrl: "https://x.example", http: { headersTimeoutMs: 30_000 } },
      }),
      /\$\.gateway\.http\.headersTimeoutMs: must not exceed requestTimeoutMs/,
    );
    assert.match(
      refusal({ ...MINIMAL, gateway: { publicUrl: "https://x.example", http: { maxConnections: "many" } } }),
      /\$\.gateway\.http\.maxConnections: expected an integer/,
    );
  });
});
