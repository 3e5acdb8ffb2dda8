import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../src/commands.js";
import { datasetStatus, evidenceLine } from "../src/dataset-status.js";

const VIEW = {
  proved: [
    { dataset: "sh.land/parcels", state: "proving", version: 3, evidence: { state: "proved", chunks: 16 } },
    {
      dataset: "sh.tax/income",
      state: "proving-evidence",
      version: 1,
      evidence: { state: "proving", done: 1024, chunks: 4096 },
    },
    { dataset: "sh.courts/cases", state: "no-evidence", version: 2, code: "PROOF_INVALID" },
  ],
  verified: [
    {
      provider: "gd.bank",
      dataset: "gd.bank/mortgages",
      root: "ab".repeat(32),
      rowCount: 15,
      chunks: 16,
      circuit: "wellformed-f5-i2-r1",
      verifiedAt: Date.UTC(2026, 11, 7),
    },
  ],
  verifying: [
    { provider: "gd.land", dataset: "gd.land/parcels", root: "cd", done: 40, chunks: 4096, since: 0 },
  ],
  refused: [
    { provider: "gd.courts", dataset: "gd.courts/cases", code: "NOT_WELL_FORMED", at: 0, retryAt: 60_000 },
    { provider: "gd.bank", dataset: "gd.bank/loans", code: "NO_EVIDENCE", at: 0, retryAt: 30_000 },
  ],
};

describe("coken dataset status", () => {
  let server: Server;
  let url = "";
  let answer: { status: number; body: string } = { status: 200, body: JSON.stringify(VIEW) };
  before(async () => {
    server = createServer((req, res) => {
      if (req.url !== "/v1/datasets") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("shows each own dataset's state and evidence, and the others' evidence checked as an asker", async () => {
    answer = { status: 200, body: JSON.stringify(VIEW) };
    const r = await datasetStatus({ api: `${url}/` });
    assert.equal(r.code, 0);
    const lines = r.out.split("\n");
    const row = (start: string) => lines.find((l) => l.startsWith(start)) ?? assert.fail(`no line ${start}`);
    assert.match(row("sh.land/parcels"), /proving\s+3\s+proved \(16 chunks\)$/);
    assert.match(row("sh.tax/income"), /proving-evidence\s+1\s+proving 1024\/4096 25%$/);
    assert.match(row("sh.courts/cases"), /no-evidence \(PROOF_INVALID\)\s+2\s+-$/);
    assert.match(
      row("gd.bank/mortgages"),
      /gd\.bank\s+verified: 15 rows, 16 chunks\s+2026-12-07T00:00:00\.000Z$/,
    );
    assert.match(row("gd.land/parcels"), /gd\.land\s+verifying 40\/4096/);
    assert.match(
      row("gd.courts/cases"),
      /gd\.courts\s+refused: NOT_WELL_FORMED\s+1970-01-01T00:00:00\.000Z, again from 1970-01-01T00:01:00\.000Z$/,
    );
  });

  it("says an owner serves no evidence yet rather than that it was refused", async () => {
    answer = { status: 200, body: JSON.stringify(VIEW) };
    const r = await datasetStatus({ api: url, dataset: "gd.bank/loans" });
    assert.match(r.out, /gd\.bank\/loans\s+gd\.bank\s+none served yet/);
  });

  it("narrows to one dataset, or prints the peer's JSON as it is", async () => {
    answer = { status: 200, body: JSON.stringify(VIEW) };
    const one = await datasetStatus({ api: url, dataset: "sh.tax/income" });
    assert.match(one.out, /sh\.tax\/income/);
    assert.doesNotMatch(one.out, /sh\.land\/parcels|gd\.bank/);
    assert.match(one.out, /none yet/);
    const other = await datasetStatus({ api: url, dataset: "gd.courts/cases" });
    assert.match(other.out, /gd\.courts\/cases is not one of them/);
    assert.match(other.out, /refused: NOT_WELL_FORMED/);
    const json = await datasetStatus({ api: url, json: true });
    assert.deepEqual(JSON.parse(json.out), VIEW);
  });

  it("a peer without proved datasets, a refusal, no peer and a bad URL are each said plainly", async () => {
    answer = { status: 200, body: JSON.stringify({ proved: [], verified: [], refused: [], verifying: [] }) };
    const empty = await datasetStatus({ api: url });
    assert.equal(empty.code, 0);
    assert.match(empty.out, /none on this peer/);
    answer = { status: 500, body: JSON.stringify({ error: { code: "INTERNAL" } }) };
    const failed = await datasetStatus({ api: url });
    assert.equal(failed.code, 1);
    assert.match(failed.out, /answered 500 \(INTERNAL\)/);
    const gone = await datasetStatus({ api: "http://127.0.0.1:1" });
    assert.equal(gone.code, 1);
    assert.match(gone.out, /^UNREACHABLE/);
    await assert.rejects(datasetStatus({ api: "not a url" }), UsageError);
    await assert.rejects(datasetStatus({}), UsageError);
  });

  it("words the evidence states", () => {
    assert.equal(evidenceLine(undefined), "-");
    assert.equal(evidenceLine({ state: "proving", done: 0 }), "proving 0/?");
    assert.equal(evidenceLine({ state: "failed", code: "CANCELLED" }), "failed (CANCELLED)");
    assert.match(evidenceLine({ state: "none" }), /^off/);
  });
});
