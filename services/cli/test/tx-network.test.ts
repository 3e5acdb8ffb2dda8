import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { generateKeystore } from "@coken/keystore";
import { createHasher, derivedId, toHex } from "@coken/ledger";
import type * as ClusterModule from "../../peer/dist/test/cluster.js";

// A real network: two validator peers as processes over libp2p, each with its gateway, and a regulator agency
// that runs no peer (it signs with its keystore and submits through the first peer's API). The built CLI runs as
// a child process against it, as an operator would.
const cluster = (await import(
  new URL("../../../peer/dist/test/cluster.js", import.meta.url).href
)) as typeof ClusterModule;

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
const A = "sh.land-registry";
const B = "bj.housing";
const R = "cn.regulator";
const DATASET = "sh.land/parcels";
const TOKEN = "operator-token-of-a";

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the built CLI without blocking this process (the stub API below answers from it). */
function coken(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, COKEN_KEYSTORE_PASSPHRASE: cluster.PASSPHRASE, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("coken tx, query and chain verify against a live two-agency network", () => {
  let dir = "";
  let grantId = "";
  let nodes: ClusterModule.ClusterNode[] = [];
  const node = (agency: string) => nodes.find((n) => n.agency === agency) as ClusterModule.ClusterNode;
  const apiUrl = (agency: string) => `http://127.0.0.1:${node(agency).apiPort}`;
  const gatewayOf: Record<string, string> = {};
  const servers: Server[] = [];
  const h = createHasher("sha256");
  const asA = () => ["--config", node(A).config];
  const dump = () => nodes.map((n) => `--- ${n.agency}\n${n.log.slice(-6).join("")}`).join("\n");
  const explain = (r: Run) => `exit ${r.code}\n${r.out}\n${r.err}\n${dump()}`;
  /** Waits until `agency`'s peer has committed `height` (the other peer may commit a moment later). */
  const reach = (agency: string, height: number) =>
    cluster.waitFor(
      `${agency} to reach height ${height}`,
      () => fetch(`${apiUrl(agency)}/v1/status`).then((r) => r.json() as Promise<{ height: number }>),
      (s) => s.height >= height,
    );
  const heightIn = (r: Run) => Number(/^height (\d+)$/m.exec(r.out)?.[1] ?? Number.NaN);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-cli-net-"));
    nodes = await cluster.prepareCluster(dir, [A, B]);
    // The regulator: in the genesis, no peer of its own.
    const { signer } = await generateKeystore(join(dir, `${R}.key.json`), {
      agency: R,
      passphrase: cluster.PASSPHRASE,
      kdf: { N: 1 << 14, r: 8, p: 1 },
    });
    const genesisFile = join(dir, "genesis.json");
    const genesis = JSON.parse(await readFile(genesisFile, "utf8"));
    genesis.agencies.push({
      id: R,
      name: R,
      region: "CN",
      publicKey: toHex(signer.publicKey),
      roles: ["regulator"],
    });
    await writeFile(genesisFile, JSON.stringify(genesis));
    // Gateways (each knowing the other) and A's operator token, added to the configs the cluster wrote.
    for (const n of nodes) gatewayOf[n.agency] = `http://127.0.0.1:${await cluster.freePort()}`;
    await writeFile(join(dir, "a.token"), TOKEN);
    for (const n of nodes) {
      const config = JSON.parse(await readFile(n.config, "utf8"));
      const url = gatewayOf[n.agency] as string;
      config.gateway = {
        port: Number(new URL(url).port),
        publicUrl: url,
        peers: Object.fromEntries(nodes.filter((o) => o !== n).map((o) => [o.agency, gatewayOf[o.agency]])),
        receiptBatchWaitMs: 200,
        receiptIntervalMs: 100,
      };
      if (n.agency === A) config.api.tokenFile = "a.token";
      await writeFile(n.config, JSON.stringify(config));
    }
    for (const n of nodes) cluster.startNode(n);
    const ready = () =>
      Promise.all(
        nodes.map((n) =>
          fetch(`${apiUrl(n.agency)}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
    await cluster
      .waitFor("both peers to commit a block and be ready", ready, (s) => s.every((x) => x === 200), 240_000)
      .catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\n${dump()}`);
      });
  });

  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await Promise.all(nodes.map((n) => cluster.stopNode(n)));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("healthz and readyz answer on each peer's API", async () => {
    for (const n of nodes) {
      const health = await fetch(`${apiUrl(n.agency)}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true });
      const ready = await fetch(`${apiUrl(n.agency)}/readyz`);
      assert.deepEqual(await ready.json(), { ready: true });
    }
  });

  it("dataset-publish and grant-issue are applied; --json prints one object with the derived grant id", async () => {
    const publish = await coken([
      "tx",
      "dataset-publish",
      ...asA(),
      "--id",
      DATASET,
      "--title",
      "Land parcels",
      "--region",
      "CN-SH",
      "--field",
      "owner:string:personal",
      "--field",
      "area:int:indexed",
      "--field",
      "district:string",
      "--query-kinds",
      "lookup,count",
      "--price",
      "2",
    ]);
    assert.equal(publish.code, 0, explain(publish));
    assert.match(publish.out, /^tx [0-9a-f]{64}$/m);
    assert.match(publish.out, /^dataset sh\.land\/parcels$/m);
    assert.match(publish.out, /^height \d+$/m);
    assert.match(publish.out, /^result applied$/m);

    // Flags instead of the config: keystore, genesis and API named one by one.
    const grant = await coken([
      "tx",
      "grant-issue",
      "--keystore",
      join(dir, `${A}.key.json`),
      "--genesis",
      join(dir, "genesis.json"),
      "--api",
      apiUrl(A),
      "--dataset",
      DATASET,
      "--grantee",
      B,
      "--query-kinds",
      "lookup",
      "--fields",
      "area,district",
      "--purpose",
      "purchase restriction check",
      "--quota",
      "10",
      "--valid-for",
      "1h",
      "--json",
    ]);
    assert.equal(grant.code, 0, explain(grant));
    const lines = grant.out.trim().split("\n");
    assert.equal(lines.length, 1, "one JSON object");
    const result = JSON.parse(lines[0] as string);
    assert.equal(result.status, "committed");
    assert.equal(result.result, "applied");
    assert.equal(result.kind, "grant.issue");
    assert.equal(result.sender, A);
    assert.equal(result.grant, derivedId(h, "grant", A, result.seq));
    grantId = result.grant;
    await reach(B, result.height);
    const status = await (await fetch(`${apiUrl(B)}/v1/txs/${result.tx}`)).json();
    assert.equal(status.status, "committed", "B's peer has the same tx committed");
    assert.equal(status.height, result.height);
  });

  it("credit-transfer applies and moves the balance; above the balance it prints the ledger's code, exit 1", async () => {
    const before = await (await fetch(`${apiUrl(A)}/v1/accounts/${A}`)).json();
    const ok = await coken(["tx", "credit-transfer", ...asA(), "--to", B, "--amount", "5", "--memo", "fee"]);
    assert.equal(ok.code, 0, explain(ok));
    const afterTransfer = await (await fetch(`${apiUrl(A)}/v1/accounts/${A}`)).json();
    assert.equal(BigInt(afterTransfer.balance), BigInt(before.balance) - 5n);
    assert.equal(afterTransfer.seq, before.seq + 1);

    const tooMuch = await coken(["tx", "credit-transfer", ...asA(), "--to", B, "--amount", "999999999"]);
    assert.equal(tooMuch.code, 1, explain(tooMuch));
    assert.match(tooMuch.out, /^refused INSUFFICIENT_BALANCE/m);
  });

  it("the regulator freezes an account through another agency's peer; the frozen side is refused; unfreeze", async () => {
    const asR = ["--keystore", join(dir, `${R}.key.json`), "--api", apiUrl(A)];
    const freeze = await coken([
      "tx",
      "freeze",
      ...asR,
      "--target",
      "account",
      "--id",
      B,
      "--reason",
      "audit",
    ]);
    assert.equal(freeze.code, 0, explain(freeze));
    assert.match(freeze.out, /^kind regulator\.freeze$/m);
    await reach(B, heightIn(freeze));
    const frozen = await coken([
      "tx",
      "credit-transfer",
      "--config",
      node(B).config,
      "--to",
      A,
      "--amount",
      "1",
    ]);
    assert.equal(frozen.code, 1, explain(frozen));
    assert.match(frozen.out, /^refused FROZEN/m);
    const notRegulator = await coken([
      "tx",
      "freeze",
      ...asA(),
      "--target",
      "agency",
      "--id",
      B,
      "--reason",
      "x",
    ]);
    assert.equal(notRegulator.code, 1, explain(notRegulator));
    assert.match(notRegulator.out, /^refused NOT_AUTHORIZED/m);
    const unfreeze = await coken([
      "tx",
      "unfreeze",
      ...asR,
      "--target",
      "account",
      "--id",
      B,
      "--reason",
      "done",
    ]);
    assert.equal(unfreeze.code, 0, explain(unfreeze));
  });

  it("a bad flag is a usage error naming it (exit 2), before any key or network is touched", async () => {
    const r = await coken(["tx", "credit-transfer", ...asA(), "--to", B, "--amount", "1.5"]);
    assert.equal(r.code, 2, explain(r));
    assert.match(r.err, /--amount must be a whole number/);
    assert.match(r.err, /usage: coken tx credit-transfer/);
  });

  it("query: B asks A's dataset through its gateway (region from the catalog); without a grant, the code", async () => {
    const rows = join(dir, "rows.ndjson");
    await writeFile(
      rows,
      `${JSON.stringify({ key: "p-1", fields: { owner: "Zhang San", area: 120, district: "Pudong" } })}\n`,
    );
    const imported = await coken(
      ["data", "import", "--api", apiUrl(A), "--dataset", DATASET, "--file", rows],
      {
        COKEN_API_TOKEN: TOKEN,
      },
    );
    assert.equal(imported.code, 0, explain(imported));

    const ask = ["query", "--config", node(B).config, "--dataset", DATASET];
    const lookup = await coken([...ask, "--kind", "lookup", "--key", "p-1", "--fields", "area,district"]);
    assert.equal(lookup.code, 0, explain(lookup));
    assert.match(lookup.out, /^provider sh\.land-registry$/m);
    assert.match(lookup.out, /^region CN$/m);
    assert.match(lookup.out, /^found true$/m);
    assert.match(lookup.out, /^field area 120$/m);
    assert.match(lookup.out, /^field district Pudong$/m);
    assert.match(lookup.out, /^proof none/m);
    assert.match(lookup.out, /^receipt [0-9a-f]{64}$/m);
    assert.doesNotMatch(lookup.out, /Zhang San/, "a personal field never leaves");

    const asJson = await coken([
      ...ask,
      "--gateway",
      gatewayOf[B] as string,
      "--provider",
      A,
      "--region",
      "CN",
      "--kind",
      "lookup",
      "--key",
      "p-404",
      "--fields",
      "area",
      "--json",
    ]);
    assert.equal(asJson.code, 0, explain(asJson));
    const answer = JSON.parse(asJson.out);
    assert.equal(answer.answer.found, false);
    assert.equal(answer.proof, null);
    assert.match(answer.receipt, /^[0-9a-f]{64}$/);

    const noGrant = await coken([...ask, "--kind", "count", "--field", "area", "--from", "0", "--to", "500"]);
    assert.equal(noGrant.code, 1, explain(noGrant));
    assert.match(noGrant.out, /^error GRANT_REQUIRED: /m);
    const unknown = await coken([
      ...ask.slice(0, 3),
      "--dataset",
      "sh.land/none",
      "--kind",
      "membership",
      "--key",
      "k",
    ]);
    assert.equal(unknown.code, 1, explain(unknown));
    assert.match(unknown.out, /^error UNKNOWN_DATASET: /m);
  });

  it("credits: balance and supply, an offer redeemed, the catalog, the voucher verified against a certified app hash", async () => {
    const balance = await coken(["credits", "balance", ...asA(), "--json"]);
    assert.equal(balance.code, 0, explain(balance));
    const b = JSON.parse(balance.out);
    const account = await (await fetch(`${apiUrl(A)}/v1/accounts/${A}`)).json();
    assert.equal(b.agency, A);
    assert.equal(b.balance, account.balance);
    const s = b.supply as Record<string, string>;
    assert.equal(
      BigInt(s.circulating as string),
      BigInt(s.genesis as string) + BigInt(s.minted as string) - BigInt(s.burned as string),
      "supply conservation",
    );

    const asR = ["--keystore", join(dir, `${R}.key.json`), "--api", apiUrl(A)];
    const offer = await coken([
      "tx",
      "credit-offer",
      ...asR,
      "--id",
      "cn.reg/training",
      "--title",
      "Data-quality training seat",
      "--price",
      "3",
      "--stock",
      "2",
    ]);
    assert.equal(offer.code, 0, explain(offer));
    await reach(B, heightIn(offer));
    const redeem = await coken([
      "credits",
      "redeem",
      "--config",
      node(B).config,
      "--offer",
      "cn.reg/training",
      "--reference",
      "order-7",
      "--json",
    ]);
    assert.equal(redeem.code, 0, explain(redeem));
    const r = JSON.parse(redeem.out);
    assert.equal(r.kind, "credit.redeem");
    assert.equal(r.voucher, derivedId(h, "voucher", B, r.seq));
    await reach(A, r.height);

    const catalog = await coken(["credits", "catalog", ...asA(), "--json"]);
    assert.equal(catalog.code, 0, explain(catalog));
    const item = JSON.parse(catalog.out).offers.find((o: { id: string }) => o.id === "cn.reg/training");
    assert.deepEqual([item.issuer, item.price, item.stock, item.redeemed], [R, "3", 1, 1]);

    const verify = await coken([
      "credits",
      "voucher",
      "verify",
      r.voucher,
      ...asA(),
      "--issuer",
      R,
      "--holder",
      B,
    ]);
    assert.equal(verify.code, 0, explain(verify));
    assert.match(verify.out, new RegExp(`^holder ${B}$`, "m"));
    assert.match(verify.out, /^quantity 1$/m);
    assert.match(verify.out, /^amount 3$/m);
    assert.match(verify.out, new RegExp(`^tx ${r.tx}$`, "m"), "the redeeming tx");
    assert.match(verify.out, /^certified block \d+ [0-9a-f]{64}$/m);
    assert.match(verify.out, /^result verified$/m);

    const altered = `${r.voucher.slice(0, -1)}${r.voucher.endsWith("0") ? "1" : "0"}`;
    const unknown = await coken(["credits", "voucher", "verify", altered, ...asA(), "--json"]);
    assert.equal(unknown.code, 1, explain(unknown));
    assert.equal(JSON.parse(unknown.out).error.code, "UNKNOWN_VOUCHER");
    const claimed = await coken(["credits", "voucher", "verify", r.voucher, ...asA(), "--quantity", "2"]);
    assert.equal(claimed.code, 1, explain(claimed));
    assert.match(claimed.out, /^error VOUCHER_MISMATCH: quantity: the ledger says 1/m);

    const ranking = await coken([
      "credits",
      "ranking",
      ...asA(),
      "--by",
      "credits",
      "--scope",
      "region",
      "--json",
    ]);
    assert.equal(ranking.code, 0, explain(ranking));
    assert.deepEqual(
      JSON.parse(ranking.out).entries.map((e: { subject: string }) => e.subject),
      ["CN"],
      "every agency of this network is in region CN",
    );
  });

  it("governance admits an agency (propose, vote), which registers itself; a grant is revoked by its id", async () => {
    const N = "gz.tax";
    const { signer } = await generateKeystore(join(dir, `${N}.key.json`), {
      agency: N,
      passphrase: cluster.PASSPHRASE,
      kdf: { N: 1 << 14, r: 8, p: 1 },
    });
    const propose = await coken([
      "tx",
      "propose",
      ...asA(),
      "--action",
      "agency.admit",
      "--agency",
      N,
      "--name",
      "Guangzhou Tax",
      "--region",
      "CN-GZ",
      "--public-key",
      toHex(signer.publicKey),
      "--roles",
      "member",
      "--json",
    ]);
    assert.equal(propose.code, 0, explain(propose));
    const proposal = JSON.parse(propose.out);
    assert.equal(proposal.proposal, derivedId(h, "proposal", A, proposal.seq));
    await reach(B, proposal.height);
    const vote = await coken([
      "tx",
      "vote",
      "--config",
      node(B).config,
      "--proposal",
      proposal.proposal,
      "--approve",
    ]);
    assert.equal(vote.code, 0, explain(vote));
    const register = await coken([
      "tx",
      "register",
      "--keystore",
      join(dir, `${N}.key.json`),
      "--api",
      apiUrl(B),
    ]);
    assert.equal(register.code, 0, explain(register));
    assert.match(register.out, /^seq 0$/m);
    await reach(A, heightIn(register));
    const account = await (await fetch(`${apiUrl(A)}/v1/accounts/${N}`)).json();
    assert.deepEqual(account, { agency: N, seq: 1, balance: "0", pendingSeq: 1 });

    assert.match(grantId, /^[0-9a-f]{32}$/, "runs after the grant was issued");
    const revoke = await coken([
      "tx",
      "grant-revoke",
      ...asA(),
      "--grant",
      grantId,
      "--reason",
      "purpose met",
    ]);
    assert.equal(revoke.code, 0, explain(revoke));
    const again = await coken(["tx", "grant-revoke", ...asA(), "--grant", grantId, "--reason", "twice"]);
    assert.equal(again.code, 1, explain(again));
    assert.match(again.out, /^refused GRANT_INACTIVE/m);
  });

  it("chain verify --api replays the live chain, and fails against a peer reporting another app hash", async () => {
    const genesis = join(dir, "genesis.json");
    const ok = await coken(["chain", "verify", "--api", apiUrl(B), "--genesis", genesis]);
    assert.equal(ok.code, 0, explain(ok));
    const height = Number(/^verified height (\d+)$/m.exec(ok.out)?.[1]);
    assert.ok(height >= 5, ok.out);
    assert.match(ok.out, /^txs [1-9]\d*$/m);

    // A stand-in for a lying peer: it relays B's API, altering one answer.
    const stub = async (tamper: (path: string, body: Record<string, unknown>) => void) => {
      const server = createServer(async (req, res) => {
        const upstream = await fetch(`${apiUrl(B)}${req.url}`);
        const body = (await upstream.json()) as Record<string, unknown>;
        tamper(req.url ?? "", body);
        res.writeHead(upstream.status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const flip = (hex: string) => `${hex[0] === "0" ? "1" : "0"}${hex.slice(1)}`;

    const reportsOther = await stub((path, body) => {
      if (path.startsWith("/v1/blocks/")) body.appHash = flip(body.appHash as string);
    });
    const refused = await coken(["chain", "verify", "--api", reportsOther, "--genesis", genesis]);
    assert.equal(refused.code, 1, explain(refused));
    assert.match(
      refused.out,
      /^chain does not verify: APP_HASH_MISMATCH at height \d+: the peer reports app hash/m,
    );

    const rewritesBlock = await stub((path, body) => {
      if (!path.startsWith("/v1/chain/blocks")) return;
      for (const b of body.blocks as { height: number; resultAppHash: string }[])
        if (b.height === 2) b.resultAppHash = flip(b.resultAppHash);
    });
    const tampered = await coken(["chain", "verify", "--api", rewritesBlock, "--genesis", genesis]);
    assert.equal(tampered.code, 1, explain(tampered));
    assert.match(tampered.out, /^chain does not verify: APP_HASH_MISMATCH at height 2: /m);

    const other = join(dir, "other-genesis.json");
    const doc = JSON.parse(await readFile(genesis, "utf8"));
    await writeFile(other, JSON.stringify({ ...doc, genesisTime: "2020-01-01T00:00:00Z" }));
    const wrongGenesis = await coken(["chain", "verify", "--api", apiUrl(A), "--genesis", other]);
    assert.equal(wrongGenesis.code, 1, explain(wrongGenesis));
    assert.match(wrongGenesis.out, /GENESIS_MISMATCH/);
    const unreachable = await coken(["chain", "verify", "--api", "http://127.0.0.1:1", "--genesis", genesis]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.out, /^error UNREACHABLE/m);
  });
});
