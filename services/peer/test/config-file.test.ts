import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ed25519Signer, toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import {
  CONFIG_REFERENCE,
  ConfigError,
  parsePeerConfig,
  parsePeerConfigText,
  readGenesisFile,
  readPeerConfig,
} from "../src/config.js";
import { configFieldsOf } from "../src/config-reference.js";
import { identityRefusal } from "../src/identity-check.js";
import { parseJsonc } from "../src/json-text.js";

const dir = mkdtempSync(join(tmpdir(), "coken-config-"));
const key = (n: number) => ed25519Signer(new Uint8Array(32).fill(n)).publicKey;
const PEER = `/ip4/10.0.0.2/tcp/7100/p2p/${peerIdFromPublicKey(key(2)).toString()}`;
const MINIMAL = {
  genesis: "genesis.json",
  keystore: "key.json",
  store: { kind: "pglite", dataDir: "db" },
  p2p: { listen: "/ip4/0.0.0.0/tcp/7100" },
};

function refused(doc: unknown, path: string): ConfigError {
  try {
    parsePeerConfig(doc, "/etc/coken");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.path, path, e.message);
    return e;
  }
  assert.fail(`accepted, expected a refusal at ${path}`);
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
  return v;
}

describe("peer config files", () => {
  it("reads JSONC: comments and trailing commas", () => {
    const text = `// a peer\n{\n  /* where */ "genesis": "genesis.json",\n  "keystore": "key.json",\n  "store": {"kind": "pglite", "dataDir": "db",},\n  "p2p": {"listen": "/ip4/0.0.0.0/tcp/7100", "peers": ["${PEER}"]},\n}\n`;
    const c = parsePeerConfigText(text, "/etc/coken/peer.jsonc");
    assert.equal(c.keystore, "/etc/coken/key.json");
    assert.deepEqual(c.p2p.peers, [PEER]);
    assert.equal(c.observer, false);
  });

  it("names the file, line and column of a syntax error", () => {
    assert.throws(
      () => parseJsonc('{\n  "genesis": "g.json"\n  "keystore": "k.json"\n}', "peer.jsonc"),
      (e: unknown) =>
        e instanceof ConfigError && /^peer\.jsonc:3:3: JSON syntax error: expected ','/.test(e.message),
    );
  });

  it("refuses a key given twice, and keeps __proto__ an own (unknown) field", () => {
    assert.throws(
      () => parseJsonc('{"a": {"b": 1, "b": 2}}', "x.jsonc"),
      (e: unknown) => e instanceof ConfigError && e.path === "$.a.b" && /appears twice/.test(e.message),
    );
    const doc = parseJsonc('{"__proto__": {"observer": true}}', "x.jsonc") as Record<string, unknown>;
    assert.equal(doc.observer, undefined);
    refused({ ...MINIMAL, ...(doc as object) }, "$.__proto__");
  });

  it("names the field of a bad multiaddr", () => {
    refused({ ...MINIMAL, p2p: { listen: "/ip4/300.0.0.1/tcp/1" } }, "$.p2p.listen");
    refused({ ...MINIMAL, p2p: { listen: "0.0.0.0:7100" } }, "$.p2p.listen");
    refused(
      { ...MINIMAL, p2p: { ...MINIMAL.p2p, peers: [PEER, "/ip4/10.0.0.3/tcp/7100"] } },
      "$.p2p.peers[1]",
    );
    refused(
      { ...MINIMAL, p2p: { ...MINIMAL.p2p, peers: ["/ip4/10.0.0.3/tcp/7100/p2p/nonsense"] } },
      "$.p2p.peers[0]",
    );
  });

  it("reads mempool bounds and the block execution share, refusing values out of range", () => {
    const c = parsePeerConfig(
      { ...MINIMAL, mempool: { maxBytes: 4096 }, consensus: { blockExecutionPercent: 0 } },
      "/etc/coken",
    );
    assert.deepEqual(c.mempool, { maxTxs: 20_000, maxBytes: 4096, maxPerSender: 2_000, maxBacklogBlocks: 2 });
    assert.equal(c.consensus.blockExecutionPercent, 0);
    refused({ ...MINIMAL, mempool: { maxTxs: 0 } }, "$.mempool.maxTxs");
    assert.equal(
      parsePeerConfig({ ...MINIMAL, mempool: { maxBacklogBlocks: 0 } }, "/").mempool.maxBacklogBlocks,
      0,
    );
    refused({ ...MINIMAL, mempool: [] }, "$.mempool");
    refused({ ...MINIMAL, consensus: { blockExecutionPercent: 101 } }, "$.consensus.blockExecutionPercent");
    refused({ ...MINIMAL, consensus: { timeoutCommitMs: 0 } }, "$.consensus.timeoutCommitMs");
  });

  it("says missing for an absent required field, and names the file when read", async () => {
    const e = refused({ ...MINIMAL, store: { kind: "pglite" } }, "$.store.dataDir");
    assert.match(e.reason, /^missing/);
    refused({ ...MINIMAL, observer: "yes" }, "$.observer");
    const file = join(dir, "peer.jsonc");
    writeFileSync(file, JSON.stringify({ ...MINIMAL, p2p: {} }));
    await assert.rejects(readPeerConfig(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        `${file}: $.p2p.listen: missing (expected a multiaddr such as /ip4/0.0.0.0/tcp/7100)`,
      );
      return true;
    });
  });

  it("reads a genesis file, naming the file and the missing field", async () => {
    const file = join(dir, "genesis.json");
    const agency = { id: "a", name: "A", region: "CN", roles: ["validator"] };
    writeFileSync(
      file,
      JSON.stringify({
        chainId: "c",
        genesisTime: "2026-01-01T00:00:00Z",
        agencies: [agency],
        validators: [],
      }),
    );
    await assert.rejects(readGenesisFile(file), { message: `${file}: $.agencies[0].publicKey: missing` });
    writeFileSync(file, '{"chainId": "c",\n  "agencies": [,]}');
    await assert.rejects(readGenesisFile(file), {
      message: `${file}:2:16: JSON syntax error: expected a value`,
    });
  });
});

describe("config reference", () => {
  it("gives the defaults the parser applies", () => {
    const c = parsePeerConfig(
      { ...MINIMAL, gateway: { publicUrl: "https://x.example" }, zk: {} },
      "/etc/coken",
    );
    const checked = CONFIG_REFERENCE.filter(
      (f) => f.default !== undefined && !f.path.includes("<") && f.path !== "store.poolSize",
    );
    assert.ok(checked.length > 20);
    for (const f of checked) assert.deepEqual(at(c, f.path), f.default, f.path);
  });

  it("lists every field the parser accepts, and the parser accepts every field it lists", () => {
    assert.deepEqual(configFieldsOf(""), [
      "genesis",
      "keystore",
      "observer",
      "store",
      "p2p",
      "api",
      "consensus",
      "mempool",
      "gateway",
      "zk",
    ]);
    for (const section of ["p2p", "api", "consensus", "mempool", "gateway", "zk"]) {
      for (const field of configFieldsOf(section)) {
        const f = CONFIG_REFERENCE.find((r) => r.path === `${section}.${field}`);
        const value = f?.example ?? f?.default ?? (f?.type === "path" ? "x" : undefined);
        const doc: Record<string, unknown> = { ...MINIMAL, gateway: { publicUrl: "https://x.example" } };
        doc[section] = { ...(doc[section] as object), [field]: value };
        if (section === "gateway" && field === "tls")
          (doc.gateway as Record<string, unknown>).tls = { key: "k", cert: "c" };
        assert.doesNotThrow(() => parsePeerConfig(doc, "/etc/coken"), `${section}.${field}`);
      }
      refused(
        { ...MINIMAL, gateway: { publicUrl: "https://x.example" }, [section]: { bogus: 1 } },
        `$.${section}.bogus`,
      );
    }
  });
});

describe("peer identity", () => {
  const base = { agency: "a", publicKey: key(1), observer: false, genesisFile: "genesis.json" };

  it("lets an agency on the chain start with its own key", () => {
    assert.equal(identityRefusal({ ...base, onChain: { publicKey: key(1) } }), null);
  });

  it("refuses an agency the chain does not know unless it observes, naming it and the genesis", () => {
    const e = identityRefusal({ ...base, onChain: undefined });
    assert.equal(e?.code, "UNKNOWN_AGENCY");
    assert.match(e?.message ?? "", /agency a .*genesis genesis\.json.*"observer": true/);
    assert.equal(identityRefusal({ ...base, onChain: undefined, observer: true }), null);
  });

  it("refuses a keystore holding another key than the chain's, even for an observer", () => {
    const e = identityRefusal({ ...base, observer: true, onChain: { publicKey: key(3) } });
    assert.equal(e?.code, "KEY_MISMATCH");
    assert.match(e?.message ?? "", new RegExp(toHex(key(3))));
  });
});
