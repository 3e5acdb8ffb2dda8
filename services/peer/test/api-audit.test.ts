import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { openStore, type Store } from "@coken/store";
import { createAuditReads, serveAuditReads } from "../src/api-audit.js";

const ID = new Uint8Array(32).fill(0xab);
const LOOKUP = new Uint8Array(32).fill(0xcd);
const BUNDLE = '{"circuit":"membership-d4","proof":{},"publicSignals":[]}';
const KEY = { protocol: "groth16", nPublic: 3 };
const KEY_HASH = "ef".repeat(32);

describe("operator API: kept proofs and verification keys for auditors", () => {
  let store: Store;
  let server: Server;
  let base: string;

  before(async () => {
    store = await openStore({ kind: "pglite" });
    const gateway = store.gateway;
    assert.ok(gateway);
    const row = { requester: "bj.housing", grantId: "g", timeMs: 1, receipt: new Uint8Array([1]) };
    await gateway.addIssuedReceipts([
      { receipt: { ...row, id: ID, proof: BUNDLE } },
      { receipt: { ...row, id: LOOKUP } },
    ]);
    const reads = createAuditReads({
      gateway,
      registry: { verificationKey: async (hash) => (hash === KEY_HASH ? (KEY as never) : undefined) },
    });
    server = createServer((req, res) => {
      if (!serveAuditReads(reads, req, res, () => {})) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> };
  };

  it("serves a kept bundle byte for byte, and 404 for a receipt without one or unknown here", async () => {
    const hex = Buffer.from(ID).toString("hex");
    assert.deepEqual(await get(`/v1/proofs/${hex}`), { status: 200, json: { receipt: hex, bundle: BUNDLE } });
    assert.equal((await get(`/v1/proofs/${Buffer.from(LOOKUP).toString("hex")}`)).status, 404);
    assert.equal((await get(`/v1/proofs/${"00".repeat(32)}`)).status, 404);
  });

  it("serves the registry's verification keys by hash", async () => {
    const key = await get(`/v1/zk/keys/${KEY_HASH}`);
    assert.equal(key.status, 200);
    assert.deepEqual(JSON.parse(String(key.json.key)), KEY);
    assert.equal((await get(`/v1/zk/keys/${"01".repeat(32)}`)).status, 404);
  });

  it("refuses ids that are not 64 lower-case hex digits, and leaves other routes alone", async () => {
    assert.equal((await get("/v1/proofs/xyz")).status, 400);
    assert.equal((await get(`/v1/zk/keys/${"AB".repeat(32)}`)).status, 400);
    assert.equal((await fetch(`${base}/v1/proofs`)).status, 418);
  });

  it("a peer without a gateway or a registry serves nothing", async () => {
    const none = createAuditReads({});
    assert.equal(await none.proof(ID), null);
    assert.equal(await none.key(KEY_HASH), null);
  });
});
