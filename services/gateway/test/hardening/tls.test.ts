import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createGatewayServer } from "../../src/server.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

/** A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "coken-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "pipe" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function post(url: string, ca: Buffer, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: "POST", ca, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("gateway server over TLS", () => {
  let world: World;
  before(async () => {
    world = await buildWorld();
  });
  after(async () => {
    await world.close();
  });

  it("serves /graphql over HTTPS with the configured certificate, and an untrusting client refuses it", async () => {
    const tls = selfSigned();
    const server = createGatewayServer({ officialRateLimit: null, tls })({
      official: officialOf(world, new ScriptedFederation()),
    });
    const url = await server.listen();
    try {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await post(url, tls.cert, JSON.stringify({ query: "{ self { agencyId } }" }));
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.text), { data: { self: { agencyId: "bj.housing" } } });
      await assert.rejects(
        post(url, selfSigned().cert, "{}"),
        /self[- ]signed|unable to verify|certificate/i,
      );
    } finally {
      await server.close();
    }
  });
});
