import assert from "node:assert/strict";
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { DEFAULT_HTTP_LIMITS } from "@coken/gateway";
import {
  createVerifier,
  decodeTx,
  fromHex,
  genesisHash,
  parseGenesis,
  stateKeyHash,
  stateValueHash,
  toHex,
  txId,
  verifySmtProof,
} from "@coken/ledger";
import { replayChain, type Store, StoredLedger } from "@coken/store";
import {
  type ApiTarget,
  blockFromJson,
  createApiServer,
  createChainReads,
  type ProvedRecordJson,
  type StateProofJson,
} from "../src/api.js";
import { readiness } from "../src/api-health.js";
import type { DatasetOps } from "../src/dataset-ops.js";
import { silentLogger } from "../src/log.js";
import { Mempool } from "../src/mempool.js";
import { commitStored, genesisDoc, T0, transfer } from "./fixtures.js";
import { makeStores } from "./inproc.js";

const OWNER = "sh.land-registry";

/** Sends a request's headers, then a body byte every `everyMs` until the server closes the connection. */
function trickle(port: number, line: string, everyMs: number): Promise<{ afterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      socket.write(`${line} HTTP/1.1\r\nhost: api\r\ncontent-length: 100000\r\n\r\n`);
      started = performance.now();
      timer = setInterval(() => socket.writable && socket.write("x"), everyMs);
    });
    socket.on("data", (c) => {
      answer += c.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - started, answer });
    });
  });
}

/** One keep-alive connection; `ask` sends a bodiless request and resolves with the raw answer. */
async function rawConnection(port: number) {
  const socket = connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  socket.on("error", () => {});
  return {
    ask(line: string): Promise<string> {
      return new Promise((resolve) => {
        let answer = "";
        const onData = (c: Buffer) => {
          answer += c.toString("latin1");
          const [head, body = ""] = answer.split("\r\n\r\n");
          const length = Number(/content-length: (\d+)/i.exec(head ?? "")?.[1] ?? Number.NaN);
          if (body.length >= length) done();
        };
        const done = () => {
          socket.off("data", onData);
          socket.off("close", done);
          resolve(answer);
        };
        socket.on("data", onData);
        socket.once("close", done);
        socket.write(`${line} HTTP/1.1\r\nhost: api\r\n\r\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

describe("readiness rules", () => {
  const base = { storeOk: true, peers: 2, soleValidator: false, halted: false, height: 5 };
  it("is ready when the store answers, consensus runs and peers are connected", () => {
    assert.deepEqual(readiness(base), { ready: true });
    assert.deepEqual(readiness({ ...base, height: 0 }), { ready: true }, "syncing the first block");
    assert.deepEqual(readiness({ ...base, peers: 0, soleValidator: true }), { ready: true });
  });
  it("names every reason it is not", () => {
    assert.deepEqual(readiness({ ...base, storeOk: false, halted: true, peers: 0 }), {
      ready: false,
      reasons: ["STORE_UNAVAILABLE", "CONSENSUS_HALTED", "NO_PEERS"],
    });
    assert.deepEqual(readiness({ ...base, peers: 0, soleValidator: true, height: 0 }), {
      ready: false,
      reasons: ["NO_BLOCKS"],
    });
  });
});

describe("operator API reads over a real store, ledger and mempool", () => {
  const genesis = parseGenesis(genesisDoc());
  let store: Store;
  let chain: StoredLedger;
  let mempool: Mempool;
  let target: ApiTarget;
  let submitted = 0;
  let server: Server;
  let url = "";
  const facts = { peers: 0, halted: false, storeFails: false };

  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = async (raw: Uint8Array) => {
    const res = await fetch(`${url}/v1/txs`, { method: "POST", body: raw as Uint8Array<ArrayBuffer> });
    return (await res.json()) as { id?: string; error?: { code: string } };
  };
  /** Commits the mempool's txs (and any extra raw txs after them) as the next block. */
  const commitBlock = async (extra: Uint8Array[] = []) => {
    const txs = [...mempool.reap(1 << 30, 10_000), ...extra];
    const time = T0 + 1000 * (chain.ledger.head.height + 1);
    mempool.update(await commitStored(chain, { txs, time, proposer: OWNER }));
  };

  before(async () => {
    const [s] = await makeStores(1);
    assert.ok(s);
    const real = s.store;
    // A store whose probe can be made to fail, to see readiness report it.
    store = {
      ...real,
      ledger: new Proxy(real.ledger, {
        get: (target, name) => {
          if (name === "latestHeight" && facts.storeFails)
            return () => Promise.reject(new Error("connection lost"));
          const v: unknown = Reflect.get(target, name);
          return typeof v === "function" ? v.bind(target) : v;
        },
      }),
    };
    chain = await StoredLedger.open(store, genesis, createVerifier());
    mempool = new Mempool(chain.ledger, createVerifier(), undefined, () => T0 + 500);
    target = {
      submitTx: (raw) => {
        submitted++;
        return mempool.add(raw);
      },
      status: () => ({ chain: genesis.chainId }),
      block: async () => null,
      datasets: {} as DatasetOps,
      provedDatasets: () => [],
      token: null,
      onError: () => {},
      reads: createChainReads({
        self: OWNER,
        store,
        ledger: chain.ledger,
        mempool,
        peers: () => facts.peers,
        halted: () => facts.halted,
        log: silentLogger,
      }),
    };
    server = createApiServer(target);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await store.close();
  });

  it("healthz answers while serving; readyz follows peers, consensus and the store", async () => {
    assert.deepEqual(await get("/healthz"), { status: 200, body: { ok: true } });
    assert.deepEqual(await get("/readyz"), { status: 503, body: { ready: false, reasons: ["NO_PEERS"] } });
    facts.peers = 3;
    assert.deepEqual(await get("/readyz"), { status: 200, body: { ready: true } });
    facts.halted = true;
    facts.storeFails = true;
    assert.deepEqual(await get("/readyz"), {
      status: 503,
      body: { ready: false, reasons: ["STORE_UNAVAILABLE", "CONSENSUS_HALTED"] },
    });
    facts.halted = false;
    facts.storeFails = false;
    assert.equal((await get("/readyz")).status, 200);
  });

  it("tx status: pending in the mempool, then committed with its result; unknown and malformed ids", async () => {
    const first = await post(transfer(chain.ledger, OWNER, 0, 10n));
    const second = await post(transfer(chain.ledger, OWNER, 1, 5n));
    assert.ok(first.id && second.id, JSON.stringify([first, second]));
    assert.deepEqual(await get(`/v1/txs/${first.id}`), {
      status: 200,
      body: { id: first.id, status: "pending" },
    });
    const account = await get(`/v1/accounts/${OWNER}`);
    assert.deepEqual(account, {
      status: 200,
      body: { agency: OWNER, seq: 0, balance: "1000", pendingSeq: 2 },
    });
    // A tx the proposer includes although the ledger refuses it (a replayed sequence number) is stored with its code.
    const stale = transfer(chain.ledger, OWNER, 0, 1n, "gz.tax");
    await commitBlock([stale]);
    assert.deepEqual(await get(`/v1/txs/${second.id}`), {
      status: 200,
      body: {
        id: second.id,
        status: "committed",
        height: 1,
        index: 1,
        kind: "credit.transfer",
        sender: OWNER,
        seq: 1,
        resultCode: null,
      },
    });
    const staleId = toHex(txId(chain.ledger.hasher, decodeTx(stale).body));
    const refused = await get(`/v1/txs/${staleId.toUpperCase()}`);
    assert.equal(refused.body.resultCode, "BAD_SEQUENCE");
    assert.equal(refused.body.index, 2);
    assert.deepEqual((await get(`/v1/accounts/${OWNER}`)).body, {
      agency: OWNER,
      seq: 2,
      balance: "985",
      pendingSeq: 2,
    });
    assert.deepEqual(await get(`/v1/txs/${"ab".repeat(32)}`), {
      status: 404,
      body: { error: { code: "NOT_FOUND" } },
    });
    assert.equal((await get("/v1/txs/xyz")).status, 400);
    assert.equal((await get("/v1/accounts/nobody")).status, 404);
    assert.equal((await get("/v1/accounts/..")).status, 404);
  });

  it("serves stored blocks as JSON a remote replay checks against the same genesis", async () => {
    await commitBlock();
    const page = await get("/v1/chain/blocks?from=0&limit=100");
    assert.equal(page.status, 200);
    const blocks = (page.body.blocks as unknown[]).map((b, i) => blockFromJson(b, `$.blocks[${i}]`));
    assert.deepEqual(
      blocks.map((b) => b.height),
      [0, 1, 2],
    );
    assert.equal(page.body.head, 2);
    assert.deepEqual(blocks[1], await store.ledger.getBlock(1));
    assert.equal(toHex(blocks[0]?.hash as Uint8Array), toHex(genesisHash(chain.ledger.hasher, genesis)));
    const report = await replayChain(
      {
        genesisBlock: async () => blocks[0] ?? null,
        blocks: async (from, limit) => blocks.filter((b) => b.height >= from).slice(0, limit),
      },
      genesis,
      createVerifier(),
    );
    assert.equal(report.height, 2);
    assert.equal(toHex(report.appHash), toHex(chain.ledger.head.appHash));
    const one = await get("/v1/chain/blocks?from=2&limit=1");
    assert.deepEqual(
      (one.body.blocks as { height: number }[]).map((b) => b.height),
      [2],
    );
    assert.deepEqual((await get("/v1/chain/blocks?from=3")).body, { head: 2, blocks: [] });
    for (const bad of ["from=x", "from=0&limit=0", "from=0&limit=101", "from=-1"])
      assert.equal((await get(`/v1/chain/blocks?${bad}`)).status, 400, bad);
  });

  it("proves present and absent state records against the committed app hash; refuses keys outside the layout", async () => {
    const h = chain.ledger.hasher;
    const r = await get(`/v1/state/proof?key=${encodeURIComponent(`account/${OWNER}`)}&key=voucher/00`);
    assert.equal(r.status, 200);
    const body = r.body as unknown as StateProofJson;
    assert.equal(body.height, chain.ledger.head.height);
    assert.equal(body.appHash, toHex(chain.ledger.head.appHash));
    const root = fromHex(body.appHash) as Uint8Array;
    const proofOf = (p: ProvedRecordJson) => ({
      siblings: p.siblings.map((x) => fromHex(x) as Uint8Array),
      other:
        p.other === null
          ? null
          : {
              keyHash: fromHex(p.other.keyHash) as Uint8Array,
              valueHash: fromHex(p.other.valueHash) as Uint8Array,
            },
    });
    const [present, absent] = body.records as [ProvedRecordJson, ProvedRecordJson];
    assert.ok(present.value !== null);
    const value = stateValueHash(h, fromHex(present.value) as Uint8Array);
    assert.ok(verifySmtProof(h, root, stateKeyHash(h, present.key), value, proofOf(present)));
    assert.ok(
      !verifySmtProof(h, root, stateKeyHash(h, absent.key), value, proofOf(present)),
      "bound to its key",
    );
    assert.equal(absent.value, null);
    assert.ok(verifySmtProof(h, root, stateKeyHash(h, absent.key), null, proofOf(absent)));
    for (const bad of ["", "key=nothing/here", Array(33).fill("key=account/a").join("&")])
      assert.equal((await get(`/v1/state/proof?${bad}`)).status, 400, bad);
  });

  it("cuts off a trickling tx body at the body deadline and refuses connections over the cap", async () => {
    const BODY_MS = 300;
    const guarded = createApiServer(target, {
      ...DEFAULT_HTTP_LIMITS,
      bodyTimeoutMs: BODY_MS,
      maxConnectionsPerClient: 1,
    });
    await new Promise<void>((r) => guarded.listen(0, "127.0.0.1", r));
    const port = (guarded.address() as AddressInfo).port;
    try {
      const before = submitted;
      const cut = await trickle(port, "POST /v1/txs", 100);
      assert.ok(cut.afterMs >= BODY_MS - 5 && cut.afterMs < BODY_MS + 4000, `closed after ${cut.afterMs} ms`);
      if (cut.answer !== "") assert.match(cut.answer, /^HTTP\/1\.1 408 [\s\S]*REQUEST_TIMEOUT/);
      assert.equal(submitted, before, "nothing of the cut-off body reached the mempool");
      // One connection per client: a second one is refused while the first is served.
      const first = await rawConnection(port);
      assert.match(await first.ask("GET /healthz"), /^HTTP\/1\.1 200 /);
      const second = await rawConnection(port);
      assert.match(await second.ask("GET /healthz"), /^HTTP\/1\.1 503 [\s\S]*TOO_MANY_CONNECTIONS/);
      assert.match(await first.ask("GET /healthz"), /^HTTP\/1\.1 200 /);
      first.close();
      second.close();
    } finally {
      guarded.closeAllConnections();
      await new Promise((r) => guarded.close(r));
    }
  });

  it("refuses what a JSON block must not be", () => {
    assert.throws(() => blockFromJson({ height: 1 }), /\$\.txs: expected an array/);
    assert.throws(
      () =>
        blockFromJson({
          height: 1,
          hash: "zz",
          prevHash: "",
          timeMs: 0,
          proposer: "",
          appHash: "",
          resultAppHash: "",
          header: "",
          commit: null,
          evidence: null,
          txs: [],
        }),
      /\$\.hash: expected hex/,
    );
  });
});
