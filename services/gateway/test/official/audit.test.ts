import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GatewayError } from "../../src/errors.js";
import { documentId, parseManifest } from "../../src/hardening/persisted.js";
import type { ChainAuditor } from "../../src/official/models.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "./client.js";
import { buildWorld, OWNER, officialOf, ScriptedFederation, type World } from "./fixtures.js";

const AUDIT = `mutation { auditChain { ok height discrepancyCount report } }`;
const REPORT = `{"format":"coken-audit-report/1","ok":true,"height":7}\n`;

/** `auditChain` hands the officials whatever the peer's auditor answers, and only to officials who may act. */
describe("officials' endpoint: auditChain", () => {
  let world: World;
  const servers: GatewayServer[] = [];
  const serve = async (audit: ChainAuditor | undefined, mode: "dev" | "production" = "dev") => {
    const server = createGatewayServer({
      mode,
      officialRateLimit: null,
      ...(mode === "production"
        ? { persistedDocuments: parseManifest(JSON.stringify({ [documentId(AUDIT)]: AUDIT })) }
        : {}),
    })({
      official: {
        ...officialOf(world, new ScriptedFederation(), OWNER),
        ...(audit === undefined ? {} : { audit }),
      },
      authenticateOfficial: (headers) => headers.get("x-test-official"),
    });
    servers.push(server);
    return server.listen();
  };

  before(async () => {
    world = await buildWorld();
  });
  after(async () => {
    for (const s of servers) await s.close();
    await world.close();
  });

  it("answers the peer's report and its verdict", async () => {
    let runs = 0;
    const url = await serve(async () => {
      runs++;
      return { ok: true, height: 7, discrepancyCount: 0, report: REPORT };
    });
    const r = await gql(url, AUDIT);
    assert.deepEqual(codes(r.body), []);
    assert.deepEqual(r.body.data.auditChain, { ok: true, height: 7, discrepancyCount: 0, report: REPORT });
    assert.equal(runs, 1);
  });

  it("passes the peer's refusal on with its code and message", async () => {
    const url = await serve(async () => {
      throw new GatewayError("AUDIT_UNAVAILABLE", "the chain has 30000 blocks");
    });
    const r = await gql(url, AUDIT);
    assert.deepEqual(codes(r.body), ["AUDIT_UNAVAILABLE"]);
    assert.match(r.body.errors?.[0]?.message ?? "", /30000 blocks/);
  });

  it("is refused without an auditor, and in production without an authenticated official", async () => {
    assert.deepEqual(codes((await gql(await serve(undefined), AUDIT)).body), ["FORBIDDEN"]);
    let runs = 0;
    const url = await serve(async () => {
      runs++;
      return { ok: true, height: 7, discrepancyCount: 0, report: REPORT };
    }, "production");
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ documentId: documentId(AUDIT) }),
      }).then((r) => r.json() as Promise<Parameters<typeof codes>[0]>);
    assert.deepEqual(codes(await post({})), ["UNAUTHENTICATED"]);
    assert.equal(runs, 0);
    assert.deepEqual(codes(await post({ "x-test-official": "auditor-3" })), []);
    assert.equal(runs, 1);
  });
});
