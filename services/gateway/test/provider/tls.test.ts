import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { openStore, type Store } from "@coken/store";
import type { OfficialComponents } from "../../src/official/models.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import {
  A,
  B,
  baseLedger,
  Clock,
  DATASET,
  GRANT,
  type MapLedger,
  makeClient,
  makeSide,
  type Side,
} from "./world.js";

// A self-signed test certificate for 127.0.0.1 (P-256, valid for a century); test material only.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmqMimDAfCiUhDc99
pxtFtoP+ytjD1xdxY5RyFTdooIKhRANCAAT1lZwAuOTc7YslXmkebqTj9bpYtnxd
fh603bXWOWAwUhBGuTo55nPKtsq08970BuL1oZjppxVY4gjaP0WXAVyB
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATagAwIBAgIUNQu1ek6UPv5NRvTnArYtj3ucetAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjA2MjkwMVoYDzIxMjYxMDI5
MDYyOTAxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAT1lZwAuOTc7YslXmkebqTj9bpYtnxdfh603bXWOWAwUhBGuTo55nPK
tsq08970BuL1oZjppxVY4gjaP0WXAVyBo2QwYjAdBgNVHQ4EFgQUnjPVKJl3gkP3
IsN4p3ukodEWU0QwHwYDVR0jBBgwFoAUnjPVKJl3gkP3IsN4p3ukodEWU0QwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0kAMEYC
IQDKBIdBiW32JmQhZoRoj15R7j3R3IgX8rXKXsgmk/BbeAIhAPE5xorK4gAJrm72
zXz4/s3yZolJcVLJe8V59GleeN4S
-----END CERTIFICATE-----`;

/** fetch over node:https trusting only the test certificate (global fetch takes no CA). */
const tlsFetch = (async (input: string | URL | Request, init?: RequestInit) =>
  new Promise<Response>((resolve, reject) => {
    const req = request(
      String(input),
      { method: init?.method ?? "GET", headers: Object.fromEntries(new Headers(init?.headers)), ca: CERT },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode ?? 500,
              headers: { "content-type": "application/json" },
            }),
          ),
        );
      },
    );
    req.on("error", reject);
    req.end(init?.body === undefined || init.body === null ? undefined : String(init.body));
  })) as typeof fetch;

describe("the gateway over TLS", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let provider: Side;
  let asker: Store;
  let server: GatewayServer;
  let url = "";

  before(async () => {
    ledger = baseLedger();
    provider = await makeSide(A, ledger, clock);
    asker = await openStore({ kind: "pglite" });
    server = createGatewayServer({ tls: { key: KEY, cert: CERT } })({
      official: { self: A, ledger, chain: {}, federation: {} } as unknown as OfficialComponents,
      peerEndpoint: provider.endpoint,
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await provider.store.close();
    await asker.close();
  });

  it("serves /peer/graphql over HTTPS and answers a signed call through it", async () => {
    assert.match(url, /^https:\/\//);
    const client = makeClient(B, ledger, clock, asker, ((input: string | URL | Request, init?: RequestInit) =>
      tlsFetch(String(input).replace(`http://${A}`, url), init)) as typeof fetch);
    const answer = await client.call({
      provider: A,
      dataset: DATASET,
      grant: GRANT,
      query: { kind: "lookup", key: "p-2", fields: ["district"] },
    });
    assert.deepEqual(answer.result, { kind: "lookup", found: true, fields: { district: "Xuhui" } });
  });

  it("a client that does not trust the certificate cannot connect", async () => {
    const res = await fetch(`${url}/healthz`).then(
      () => "connected",
      () => "refused",
    );
    assert.equal(res, "refused");
  });
});
