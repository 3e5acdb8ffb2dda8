import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createHasher, derivedId, encodeTx, signTx, type TxBody } from "@coken/ledger";
import { gql } from "../official/client.js";
import { FIELDS, INDEXES, ROWS, smallArtifacts, ZK_CACHE } from "../provider/proved-dataset.js";
import { api, type NetworkNode, prepareNetwork, startNodes, stopNodes, waitFor } from "./network.js";

// Proved answers between real peers: rows go into the provider's store through `coken data import`, the
// commitment onto the ledger through `coken dataset commit`, and the asker's officials get verified answers.
const CHAIN = "coken-proved-e2e";
const A = "sh.land-registry";
const B = "bj.housing";
const R = "sh.regulator";
const DATASET = "sh.land/holdings";
const TOKEN = "operator-token-for-tests";
const CLI = fileURLToPath(new URL("../../../../cli/dist/src/main.js", import.meta.url));
const h = createHasher("sha256");
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, COKEN_API_TOKEN: TOKEN },
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: `${x.stdout ?? ""}${x.stderr ?? ""}` };
  }
}

describe("proved answers between peers: data import, dataset commit, verified answers", () => {
  let dir = "";
  let nodes: NetworkNode[] = [];
  let circuits: string[] = [];
  const node = (id: string) => nodes.find((n) => n.spec.id === id) as NetworkNode;
  const apiUrl = (id: string) => `http://127.0.0.1:${node(id).apiPort}`;
  const submit = async (sender: string, seq: number, kind: string, payload: unknown) => {
    const body = { chain: CHAIN, kind, sender, seq, payload } as TxBody;
    const res = await api<{ id?: string }>(
      node(sender),
      "/v1/txs",
      encodeTx(signTx(h, node(sender).signer, body)),
    );
    assert.ok(res.id, JSON.stringify(res));
  };
  const logs = () => [A, B].flatMap((id) => node(id).log.slice(-8)).join("\n");
  const provedState = async () =>
    (await api<{ proved: { dataset: string; state: string }[] }>(node(A), "/v1/datasets")).proved;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-proved-e2e-"));
    circuits = (await smallArtifacts(true)).map((a) => a.circuit);
    await writeFile(join(dir, "operator.token"), `${TOKEN}\n`);
    const zk = { cacheDir: ZK_CACHE, circuits, devKeys: true };
    nodes = await prepareNetwork(
      dir,
      CHAIN,
      [
        { id: A, region: "SH", roles: ["validator", "member"] },
        { id: B, region: "BJ", roles: ["validator", "member"] },
        { id: R, region: "SH", roles: ["validator", "regulator"] },
      ],
      (spec): Record<string, Record<string, unknown>> =>
        spec.id === A
          ? {
              api: { tokenFile: "operator.token" },
              zk: {
                ...zk,
                datasets: {
                  [DATASET]: {
                    depth: 4,
                    indexes: INDEXES,
                  },
                },
              },
            }
          : spec.id === B
            ? { zk }
            : {},
    );
    await startNodes(nodes);
    await waitFor(
      "the chain to start",
      () => Promise.all(nodes.map((n) => api<{ height: number }>(n, "/v1/status"))),
      (s) => s.every((x) => x.height >= 1),
      60_000,
    );
  });

  after(async () => {
    await stopNodes(nodes);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("publish, grant, import rows, commit: B's officials get threshold, membership and count answers verified against the ledger", async () => {
    await submit(A, 0, "dataset.publish", {
      id: DATASET,
      title: "Land holdings",
      description: "Parcels with owners and values",
      fields: FIELDS,
      region: "SH",
      tags: [],
      updateFrequency: "daily",
      licence: "government use",
      queryKinds: ["lookup", "threshold", "membership", "count"],
      price: 1n,
      commitment: null,
    });
    await submit(A, 1, "grant.issue", {
      dataset: DATASET,
      grantee: B,
      queryKinds: ["threshold", "membership", "count"],
      fields: ["value", "owner"],
      purpose: "purchase restriction",
      quota: 100,
      expiresAt: Date.now() + 3_600_000,
    });
    const grant = derivedId(h, "grant", A, 1);
    await waitFor(
      "A's dataset on A's ledger",
      () => gql(node(A).gatewayUrl, "{ catalog(first: 5) { edges { node { datasetId } } } }"),
      (r) =>
        r.body.data?.catalog.edges.some((e: { node: { datasetId: string } }) => e.node.datasetId === DATASET),
      30_000,
    );
    const rowsUrl = `${apiUrl(A)}/v1/datasets/${encodeURIComponent(DATASET)}/rows`;
    for (const headers of [{}, { authorization: "Bearer not-the-token" }] as Record<string, string>[]) {
      const res = await fetch(rowsUrl, { method: "PUT", headers, body: `${JSON.stringify(ROWS[0])}\n` });
      assert.equal(res.status, 401, "dataset endpoints need the operator token");
    }

    // A row missing a field: the whole batch is refused and nothing is stored.
    const bad = join(dir, "bad.ndjson");
    const { owner: _missing, ...partial } = ROWS[0]?.fields ?? {};
    await writeFile(
      bad,
      `${JSON.stringify(ROWS[1])}\n${JSON.stringify({ key: "parcel-x", fields: partial })}\n`,
    );
    const refused = await cli(["data", "import", "--api", apiUrl(A), "--dataset", DATASET, "--file", bad]);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /BAD_ROWS: row 2: field owner is missing/);
    assert.doesNotMatch(refused.out, /person-/, "refusals never echo row values");

    const file = join(dir, "rows.ndjson");
    await writeFile(file, `${ROWS.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const imported = await cli([
      "data",
      "import",
      "--api",
      apiUrl(A),
      "--dataset",
      DATASET,
      "--file",
      file,
      "--batch",
      "4",
    ]);
    assert.equal(imported.code, 0, imported.out);
    assert.match(imported.out, /stored 10 rows/);

    const committed = await cli(["dataset", "commit", "--api", apiUrl(A), "--dataset", DATASET]);
    assert.equal(committed.code, 0, `${committed.out}\n${node(A).log.slice(-10).join("\n")}`);
    const outcome = JSON.parse(committed.out) as { tx: string; root: string; rowCount: number };
    assert.equal(outcome.rowCount, 10, "the refused batch stored nothing");
    assert.match(outcome.root, /^[0-9a-f]{64}$/);
    await waitFor(
      "A to prove over the committed rows",
      provedState,
      (s) => s[0]?.state === "proving",
      60_000,
    );

    const at = `region(id: "SH") { agency(id: "${A}") { dataset(id: "${DATASET}") {`;
    const ask = (field: string) =>
      gql(node(B).gatewayUrl, `{ ${at} ${field} } } } }`).then((r) => {
        assert.equal(
          r.body.errors,
          undefined,
          `${JSON.stringify(r.body.errors)}\n${node(B).log.slice(-6).join("\n")}`,
        );
        return r.body.data.region.agency.dataset;
      });
    const proof = "proof { system verified commitment circuit } receipt { id }";
    const threshold = (
      await waitFor(
        "B to see the commitment",
        () =>
          gql(
            node(B).gatewayUrl,
            `{ ${at} threshold(key: "parcel-3", field: "value", op: GTE, value: "350000", grant: "${grant}") { holds ${proof} } } } } }`,
          ),
        (r) => r.body.errors === undefined,
        120_000,
      ).catch((e: unknown) => assert.fail(`${String(e)}\n${logs()}`))
    ).body.data.region.agency.dataset.threshold;
    assert.equal(threshold.holds, true);
    assert.deepEqual(
      { ...threshold.proof, circuit: undefined },
      { system: "groth16", verified: true, commitment: outcome.root, circuit: undefined },
    );
    assert.match(threshold.proof.circuit, /^threshold-d4/);

    const below = await ask(
      `threshold(key: "parcel-3", field: "value", op: GTE, value: "450000", grant: "${grant}") { holds ${proof} }`,
    );
    assert.equal(below.threshold.holds, false);
    const absent = await ask(`membership(key: "parcel-99", grant: "${grant}") { member ${proof} }`);
    assert.equal(absent.membership.member, false);
    assert.equal(absent.membership.proof.verified, true);
    const owned = await ask(
      `count(field: "owner", from: "person-1", to: "person-1", grant: "${grant}") { count ${proof} }`,
    );
    assert.equal(owned.count.count, ROWS.filter((r) => r.fields.owner === "person-1").length);

    // The answers' receipts reach the ledger's access log.
    const receipt = threshold.receipt.id as string;
    await waitFor(
      "the receipt on the ledger",
      () => gql(node(B).gatewayUrl, "{ accessLog(first: 50) { edges { node { receiptId } } } }"),
      (r) =>
        (r.body.data?.accessLog?.edges ?? []).some(
          (e: { node: { receiptId: string } }) => e.node.receiptId === receipt,
        ),
      60_000,
    ).catch((e: unknown) => assert.fail(`${String(e)}\n${logs()}`));
  });
});
