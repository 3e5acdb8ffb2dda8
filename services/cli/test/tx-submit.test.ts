import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import {
  createHasher,
  createVerifier,
  decodeTx,
  ed25519Signer,
  toHex,
  txId,
  verifyTxSignature,
} from "@coken/ledger";
import { UsageError } from "../src/commands.js";
import { query } from "../src/query-command.js";
import { txCommands } from "../src/tx-commands.js";
import { duration, fieldSpec, instant, u64 } from "../src/tx-flags.js";
import { actionFromJson, datasetEntryFromJson } from "../src/tx-json.js";
import { submitTx } from "../src/tx-submit.js";
import type { TxTarget } from "../src/tx-target.js";

type Handler = (req: IncomingMessage, body: Buffer) => { status: number; body: unknown };

interface Seen {
  method: string;
  url: string;
  body: Buffer;
}

const servers: Server[] = [];

/** A loopback stand-in for a peer API or gateway: `handler` answers each request; every request is recorded. */
async function stub(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      const reply = handler(req, body);
      res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

const signer = ed25519Signer(new Uint8Array(32).fill(9));
const hasher = createHasher("sha256");
const target = (api: string): TxTarget => ({
  api,
  chainId: "coken-test",
  hasher,
  agency: "sh.land-registry",
  signer,
});
const transfer = { kind: "credit.transfer" as const, payload: { to: "bj.housing", amount: 7n, memo: "" } };
const wait = { wait: true, timeoutMs: 5000, json: false, pollMs: 10 };

describe("submitting a tx to a peer's API", () => {
  it("signs the pending seq, signs again when the peer's own tx took it, and reports the ledger's refusal", async () => {
    let accountReads = 0;
    let polls = 0;
    const api = await stub((req) => {
      if (req.url?.startsWith("/v1/accounts/")) {
        accountReads++;
        return {
          status: 200,
          body: { agency: "sh.land-registry", seq: 3, balance: "10", pendingSeq: 3 + accountReads },
        };
      }
      if (req.method === "POST")
        return accountReads === 1
          ? { status: 400, body: { error: { code: "BAD_SEQUENCE" } } }
          : { status: 202, body: {} };
      polls++;
      return polls < 3
        ? { status: 200, body: { status: "pending" } }
        : {
            status: 200,
            body: { status: "committed", height: 12, index: 0, resultCode: "INSUFFICIENT_BALANCE" },
          };
    });
    const r = await submitTx(target(api.url), transfer, wait);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^seq 5$/m);
    assert.match(r.out, /^height 12$/m);
    assert.match(r.out, /^result INSUFFICIENT_BALANCE$/m);
    const posts = api.seen.filter((s) => s.method === "POST");
    assert.equal(posts.length, 2);
    const tx = decodeTx(new Uint8Array(posts[1]?.body as Buffer));
    assert.equal(tx.body.seq, 5);
    assert.equal(tx.body.chain, "coken-test");
    assert.ok(verifyTxSignature(hasher, createVerifier(), "ed25519", signer.publicKey, tx));
    const id = toHex(txId(hasher, tx.body));
    assert.match(r.out, new RegExp(`^tx ${id}$`, "m"));
    assert.ok(
      api.seen.some((s) => s.url === `/v1/txs/${id}`),
      "polled the tx it submitted",
    );
  });

  it("posts the same tx again while the peer's mempool refuses it for capacity, within the wait", async () => {
    let posts = 0;
    const api = await stub((req) => {
      if (req.url?.startsWith("/v1/accounts/")) return { status: 200, body: { seq: 0, pendingSeq: 0 } };
      if (req.method === "POST")
        return ++posts === 1
          ? { status: 503, body: { error: { code: "FULL", retryable: true } } }
          : { status: 202, body: {} };
      return { status: 200, body: { status: "committed", height: 2, index: 0, resultCode: null } };
    });
    const r = await submitTx(target(api.url), transfer, wait);
    assert.equal(r.code, 0, r.out);
    const sent = api.seen.filter((s) => s.method === "POST");
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0]?.body, sent[1]?.body);
    // A wait too short for a retry reports the refusal.
    posts = 0;
    const short = await submitTx(target(api.url), transfer, { ...wait, timeoutMs: 100 });
    assert.equal(short.code, 1);
    assert.match(short.out, /^refused FULL/m);
  });

  it("prints one JSON object; --no-wait stops at the mempool; a vanished tx is dropped; a slow one times out", async () => {
    const applied = await stub((req) =>
      req.url?.startsWith("/v1/accounts/")
        ? { status: 200, body: { seq: 0, pendingSeq: 0 } }
        : req.method === "POST"
          ? { status: 202, body: {} }
          : { status: 200, body: { status: "committed", height: 4, index: 2, resultCode: null } },
    );
    const json = await submitTx(target(applied.url), transfer, { ...wait, json: true });
    assert.equal(json.code, 0);
    const o = JSON.parse(json.out);
    assert.deepEqual(
      { status: o.status, result: o.result, height: o.height, index: o.index, seq: o.seq, kind: o.kind },
      { status: "committed", result: "applied", height: 4, index: 2, seq: 0, kind: "credit.transfer" },
    );
    const noWait = await submitTx(target(applied.url), transfer, { ...wait, wait: false });
    assert.equal(noWait.code, 0);
    assert.match(noWait.out, /^status pending/m);

    const vanishing = await stub((req) =>
      req.url?.startsWith("/v1/accounts/")
        ? { status: 200, body: { seq: 0, pendingSeq: 0 } }
        : req.method === "POST"
          ? { status: 202, body: {} }
          : { status: 404, body: { error: { code: "NOT_FOUND" } } },
    );
    const dropped = await submitTx(target(vanishing.url), transfer, wait);
    assert.equal(dropped.code, 1);
    assert.match(dropped.out, /^dropped/m);

    const slow = await stub((req) =>
      req.url?.startsWith("/v1/accounts/")
        ? { status: 200, body: { seq: 0, pendingSeq: 0 } }
        : req.method === "POST"
          ? { status: 202, body: {} }
          : { status: 200, body: { status: "pending" } },
    );
    const timedOut = await submitTx(target(slow.url), transfer, { ...wait, timeoutMs: 50 });
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.out, /^timeout/m);
  });

  it("an unknown sender and a mempool refusal print the code and exit 1; a bad payload never leaves", async () => {
    const none = await stub(() => ({ status: 404, body: { error: { code: "NOT_FOUND" } } }));
    const unknown = await submitTx(target(none.url), transfer, wait);
    assert.equal(unknown.code, 1);
    assert.match(unknown.out, /^refused UNKNOWN_SENDER/m);
    const refusing = await stub((req) =>
      req.url?.startsWith("/v1/accounts/")
        ? { status: 200, body: { seq: 0, pendingSeq: 0 } }
        : { status: 400, body: { error: { code: "FROZEN" } } },
    );
    const frozen = await submitTx(target(refusing.url), transfer, { ...wait, json: true });
    assert.equal(frozen.code, 1);
    assert.equal(JSON.parse(frozen.out).result, "FROZEN");
    await assert.rejects(
      submitTx(
        target(refusing.url),
        { kind: "credit.transfer", payload: { to: "Not An Agency", amount: 1n, memo: "" } },
        wait,
      ),
      (e: unknown) => e instanceof UsageError && /payload\.to/.test(e.message),
    );
    assert.equal(refusing.seen.filter((s) => s.method === "POST").length, 1, "only the valid tx was posted");
  });
});

describe("tx flag and file parsers", () => {
  it("parse what they document and name the flag when they refuse", () => {
    assert.deepEqual(fieldSpec("area:int:indexed"), {
      name: "area",
      type: "int",
      indexed: true,
      personal: false,
    });
    assert.deepEqual(fieldSpec("owner:string:personal:indexed"), {
      name: "owner",
      type: "string",
      indexed: true,
      personal: true,
    });
    assert.throws(() => fieldSpec("owner:text"), /--field owner:text: expected name:type/);
    assert.equal(u64("18446744073709551615", "amount"), (1n << 64n) - 1n);
    assert.throws(() => u64("18446744073709551616", "amount"), /--amount must be a whole number/);
    assert.throws(() => u64("007", "price"), /--price/);
    assert.equal(instant("2027-01-01T00:00:00Z", "expires-at"), Date.UTC(2027, 0, 1));
    assert.equal(instant("1700000000000", "expires-at"), 1_700_000_000_000);
    assert.throws(() => instant("next week", "expires-at"), /--expires-at must be an ISO 8601 time/);
    assert.equal(duration("30d", "valid-for"), 30 * 86_400_000);
    assert.throws(() => duration("30", "valid-for"), /--valid-for must be a duration/);
  });

  it("converts JSON documents (hex bytes, decimal amounts) and refuses unknown fields by path", () => {
    const entry = datasetEntryFromJson(
      {
        id: "sh.land/parcels",
        title: "Parcels",
        fields: [{ name: "area", type: "int", indexed: true }],
        region: "CN-SH",
        queryKinds: ["count"],
        price: "12345678901234567890",
        commitment: { scheme: "coken-poseidon", root: "ab".repeat(32), rowCount: 2, indexedFields: ["area"] },
      },
      "entry.json",
    );
    assert.equal(entry.price, 12345678901234567890n);
    assert.deepEqual(entry.fields, [{ name: "area", type: "int", indexed: true, personal: false }]);
    assert.equal(entry.commitment?.root.length, 32);
    assert.deepEqual(entry.commitment?.verifyingKeys, []);
    assert.equal(entry.updateFrequency, "irregular");
    assert.throws(
      () => datasetEntryFromJson({ id: "x", fields: [], titel: "typo" }, "entry.json"),
      /entry\.json\.titel: unknown field/,
    );
    const admit = actionFromJson(
      {
        type: "agency.admit",
        agency: { id: "gz.tax", name: "Tax", region: "CN-GZ", publicKey: "11".repeat(32), roles: ["member"] },
      },
      "a.json",
    );
    assert.equal(admit.type === "agency.admit" && admit.agency.keyScheme, "ed25519");
    assert.throws(
      () => actionFromJson({ type: "treasury.spend" }, "a.json"),
      /a\.json\.type: expected one of/,
    );
  });
});

describe("coken query against a stand-in gateway", () => {
  const envelope = {
    provider: "hn.land-registry",
    dataset: "hn.land/properties",
    proof: { system: "groth16", verified: true, commitment: "c0ffee", circuit: "range-d20" },
    receipt: { id: "ee".repeat(32) },
  };
  const catalogPage = (datasets: string[], next: string | null) => ({
    data: {
      catalog: {
        edges: datasets.map((d) => ({
          node: { datasetId: d, owner: { agencyId: "hn.land-registry", region: { id: "HN" } } },
        })),
        pageInfo: { hasNextPage: next !== null, endCursor: next },
      },
    },
  });

  it("finds the region in the catalog (a page at a time), asks, and prints answer, proof and receipt", async () => {
    const gateway = await stub((_, body) => {
      const { query: doc, variables } = JSON.parse(body.toString()) as {
        query: string;
        variables: Record<string, unknown>;
      };
      if (doc.includes("catalog"))
        return {
          status: 200,
          body:
            variables.after === null
              ? catalogPage(["hn.land/a"], "c1")
              : catalogPage(["hn.land/properties"], null),
        };
      return {
        status: 200,
        body: { data: { region: { agency: { dataset: { answer: { count: 3, ...envelope } } } } } },
      };
    });
    const r = await query({
      gateway: gateway.url,
      dataset: "hn.land/properties",
      kind: "count",
      field: "owner",
      from: "P",
      to: "P",
      grant: "ab".repeat(16),
    });
    assert.equal(r.code, 0, r.out);
    assert.equal(
      r.out,
      [
        "provider hn.land-registry",
        "dataset hn.land/properties",
        "region HN",
        "kind count",
        "count 3",
        "proof groth16 verified",
        "commitment c0ffee",
        "circuit range-d20",
        `receipt ${"ee".repeat(32)}`,
        "",
      ].join("\n"),
    );
    const asked = JSON.parse(gateway.seen[2]?.body.toString() ?? "{}");
    assert.deepEqual(asked.variables, {
      region: "HN",
      provider: "hn.land-registry",
      dataset: "hn.land/properties",
      grant: "ab".repeat(16),
      field: "owner",
      from: "P",
      to: "P",
    });
  });

  it("a GraphQL refusal prints extensions.code and the message, exit 1 (one JSON object with --json)", async () => {
    const gateway = await stub(() => ({
      status: 200,
      body: {
        data: null,
        errors: [{ message: "this agency holds no grant", extensions: { code: "GRANT_REQUIRED" } }],
      },
    }));
    const args = {
      gateway: gateway.url,
      provider: "hn.land-registry",
      region: "HN",
      dataset: "hn.land/properties",
      kind: "membership",
      key: "k",
    };
    const r = await query(args);
    assert.equal(r.code, 1);
    assert.equal(r.out, "error GRANT_REQUIRED: this agency holds no grant\n");
    const j = await query({ ...args, json: true });
    assert.deepEqual(JSON.parse(j.out), {
      error: { code: "GRANT_REQUIRED", message: "this agency holds no grant" },
    });
    assert.equal(gateway.seen.length, 2, "no catalog lookup when provider and region are given");
    await assert.rejects(query({ ...args, kind: "sum" }), /--key is not used by --kind sum/);
    await assert.rejects(
      query({ ...args, kind: "threshold", field: "area", value: "1" }),
      /--op is required/,
    );
  });

  it("--trusted sends only the document id of a document --print-documents lists", async () => {
    const gateway = await stub(() => ({ status: 200, body: catalogPage([], null) }));
    const r = await query({
      gateway: gateway.url,
      dataset: "x/y",
      kind: "membership",
      key: "k",
      trusted: true,
    });
    assert.equal(r.code, 1);
    assert.match(r.out, /^error UNKNOWN_DATASET/);
    const sent = JSON.parse(gateway.seen[0]?.body.toString() ?? "{}");
    assert.equal(sent.query, undefined);
    const manifest = JSON.parse((await query({ "print-documents": true })).out) as Record<string, string>;
    assert.ok(sent.documentId.replace("sha256:", "") in manifest);
  });
});

describe("tx commands refuse bad flags by name before touching a key or the network", () => {
  const run = (words: string[], values: Record<string, string | boolean | string[]>) => {
    const command = txCommands.find((c) => c.words.join(" ") === words.join(" "));
    assert.ok(command, words.join(" "));
    return command.run({ values, positionals: [], rest: [] }, {});
  };
  it("names the flag and what it expects", async () => {
    const cases: [string[], Record<string, string | boolean | string[]>, RegExp][] = [
      [["tx", "credit-transfer"], { to: "bj.housing", amount: "1.5" }, /--amount must be a whole number/],
      [
        ["tx", "freeze"],
        { target: "planet", id: "x", reason: "r" },
        /--target must be one of agency, dataset/,
      ],
      [
        ["tx", "grant-issue"],
        { dataset: "d", grantee: "bj.housing", "query-kinds": "lookup", purpose: "p", quota: "1" },
        /--expires-at TIME or --valid-for DURATION/,
      ],
      [
        ["tx", "grant-issue"],
        {
          dataset: "d",
          grantee: "b",
          "query-kinds": "lookup,peek",
          purpose: "p",
          quota: "1",
          "valid-for": "1d",
        },
        /--query-kinds: "peek" is not a query kind/,
      ],
      [
        ["tx", "dataset-publish"],
        { id: "d", title: "t", region: "R", "query-kinds": "lookup", field: ["x:float"] },
        /--field x:float/,
      ],
      [
        ["tx", "dataset-publish"],
        { file: "entry.json", title: "t" },
        /--file gives the whole payload; drop --title/,
      ],
      [
        ["tx", "vote"],
        { proposal: "00", approve: true, reject: true },
        /exactly one of --approve or --reject/,
      ],
      [
        ["tx", "propose"],
        { action: "params.set", param: ["speed=3"] },
        /--param speed=3: expected NAME=VALUE/,
      ],
      [["tx", "propose"], { action: "validators.set" }, /--validator AGENCY:POWER/],
      [["tx", "credit-transfer"], { to: "bj.housing", amount: "1" }, /--keystore FILE/],
      [
        ["tx", "credit-transfer"],
        { to: "bj.housing", amount: "1", keystore: "k", api: "ftp://x" },
        /--api must be an http/,
      ],
      [
        ["tx", "credit-redeem"],
        { offer: "cloud/hours", timeout: "soon" },
        /--timeout must be a whole number/,
      ],
      [["tx"], {}, /name the transaction/],
    ];
    for (const [words, values, message] of cases)
      await assert.rejects(
        run(words, values),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
        `${words.join(" ")} ${JSON.stringify(values)}`,
      );
  });
});
