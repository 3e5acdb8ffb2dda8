import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../src/commands.js";
import { dataImport, datasetCommit } from "../src/dataset-command.js";

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  length: string | undefined;
  body: string;
}

/** A stand-in operator API on loopback: records each request and answers with the next scripted reply. */
function operatorApi(replies: { status: number; body: string }[]) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        length: req.headers["content-length"],
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const reply = replies.shift() ?? { status: 500, body: "{}" };
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.body);
    });
  });
  return { server, seen };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const env = { COKEN_API_TOKEN: "operator-token" };

describe("dataset commands against the operator API", () => {
  const dir = mkdtempSync(join(tmpdir(), "coken-cli-data-"));
  const servers: Server[] = [];
  const api = async (replies: { status: number; body: string }[]) => {
    const a = operatorApi(replies);
    servers.push(a.server);
    return { url: await listen(a.server), seen: a.seen };
  };
  before(() => {
    writeFileSync(
      join(dir, "rows.ndjson"),
      '{"key":"a","fields":{}}\n\n{"key":"b","fields":{}}\n{"key":"c","fields":{}}\n',
    );
  });
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it("commit: posts with the operator token and prints the peer's outcome", async () => {
    const { url, seen } = await api([{ status: 202, body: '{"tx":"ab","rowCount":3}' }]);
    const r = await datasetCommit({ api: `${url}/`, dataset: "sh/parcels" }, env);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), { tx: "ab", rowCount: 3 });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, "POST");
    assert.equal(seen[0]?.url, "/v1/datasets/sh%2Fparcels/commit");
    assert.equal(seen[0]?.authorization, "Bearer operator-token");
  });

  it("commit: a refusal is reported with its code and message; a non-JSON one by its failure alone", async () => {
    const { url } = await api([
      { status: 409, body: '{"error":{"code":"NOT_PROVED","message":"name it under zk.datasets"}}' },
      { status: 502, body: "<html>bad gateway</html>" },
    ]);
    const refused = await datasetCommit({ api: url, dataset: "sh/parcels" }, env);
    assert.equal(refused.code, 1);
    assert.equal(refused.out, "sh/parcels not committed: NOT_PROVED: name it under zk.datasets\n");
    const garbled = await datasetCommit({ api: url, dataset: "sh/parcels" }, env);
    assert.equal(garbled.code, 1);
    assert.equal(garbled.out, "sh/parcels not committed: UNKNOWN\n");
  });

  it("import: sends the rows in batches with their length, and stops at the first refused batch", async () => {
    const { url, seen } = await api([
      { status: 200, body: '{"rows":2}' },
      { status: 400, body: '{"error":{"code":"BAD_ROWS","message":"line 1 is not JSON"}}' },
    ]);
    const r = await dataImport(
      { api: url, dataset: "sh/parcels", file: join(dir, "rows.ndjson"), batch: "2" },
      env,
    );
    assert.equal(r.code, 1);
    assert.equal(r.out, "lines 4..4 not stored (2 rows stored before): BAD_ROWS: line 1 is not JSON\n");
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.body, s.length]),
      [
        ["PUT", "/v1/datasets/sh%2Fparcels/rows", '{"key":"a","fields":{}}\n{"key":"b","fields":{}}\n', "48"],
        ["PUT", "/v1/datasets/sh%2Fparcels/rows", '{"key":"c","fields":{}}\n', "24"],
      ],
    );
  });

  it("an API that is not there is UNREACHABLE; an --api that is no http(s) URL is a usage error", async () => {
    const gone = await api([]);
    const closed = servers.pop() as Server;
    await new Promise((r) => closed.close(r));
    const r = await datasetCommit({ api: gone.url, dataset: "sh/parcels" }, env);
    assert.equal(r.code, 1);
    assert.match(r.out, /^sh\/parcels not committed: UNREACHABLE: no operator API at .* \(ECONNREFUSED\)\n$/);
    await assert.rejects(datasetCommit({ api: "not a url", dataset: "d" }, env), UsageError);
    await assert.rejects(datasetCommit({ api: "ftp://127.0.0.1/", dataset: "d" }, env), UsageError);
    await assert.rejects(datasetCommit({ api: "http://127.0.0.1:1", dataset: "d" }, {}), UsageError);
  });
});
