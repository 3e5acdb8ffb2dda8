import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateKeystore } from "@coken/keystore";
import { toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import { coken, runPeerUntil } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "coken-peer-start-"));
const PASS = { COKEN_KEYSTORE_PASSPHRASE: "peer start test" };

let made: ReturnType<typeof makeNetwork> | undefined;
const network = () => {
  made ??= makeNetwork();
  return made;
};

/** A genesis with one validator agency, and a keystore of an agency that is not in it. */
async function makeNetwork() {
  const member = await generateKeystore(join(dir, "member.key.json"), {
    agency: "sh.land",
    passphrase: PASS.COKEN_KEYSTORE_PASSPHRASE,
    kdf: { N: 1 << 14, r: 8, p: 1 },
  });
  await generateKeystore(join(dir, "stranger.key.json"), {
    agency: "xx.stranger",
    passphrase: PASS.COKEN_KEYSTORE_PASSPHRASE,
    kdf: { N: 1 << 14, r: 8, p: 1 },
  });
  const genesis = {
    chainId: "coken-start",
    genesisTime: "2026-01-01T00:00:00Z",
    agencies: [
      {
        id: "sh.land",
        name: "Shanghai Land",
        region: "CN-SH",
        publicKey: toHex(member.signer.publicKey),
        roles: ["validator", "member"],
      },
    ],
    validators: [{ agency: "sh.land", power: 10 }],
  };
  writeFileSync(join(dir, "genesis.json"), JSON.stringify(genesis));
  return genesis;
}

function config(name: string, fields: Record<string, unknown>, text?: string): string {
  const file = join(dir, name);
  const doc = {
    genesis: "genesis.json",
    keystore: "member.key.json",
    store: { kind: "pglite", dataDir: `${name}.db` },
    p2p: { listen: "/ip4/127.0.0.1/tcp/0" },
    ...fields,
  };
  writeFileSync(file, text ?? JSON.stringify(doc, null, 2));
  return file;
}

describe("coken peer start: config errors", () => {
  it("names the file, line and column of a syntax error, without a stack", () => {
    const file = config(
      "syntax.jsonc",
      {},
      '{\n  // the genesis\n  "genesis": "genesis.json"\n  "keystore": "k.json"\n}\n',
    );
    const r = coken(["peer", "start", "--config", file], PASS);
    assert.equal(r.code, 1);
    assert.equal(r.err, `${file}:4:3: JSON syntax error: expected ',' between entries\n`);
  });

  it("names the field of a bad multiaddr in p2p.listen and p2p.peers[i]", () => {
    const listen = config("listen.jsonc", { p2p: { listen: "/ip4/127.0.0.1/tcp/notaport" } });
    const r = coken(["peer", "start", "--config", listen], PASS);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^${listen}: \\$\\.p2p\\.listen: expected a multiaddr`));
    const peerId = peerIdFromPublicKey(new Uint8Array(32).fill(9)).toString();
    const peers = config("peers.jsonc", {
      p2p: {
        listen: "/ip4/127.0.0.1/tcp/0",
        peers: [`/ip4/10.0.0.1/tcp/7100/p2p/${peerId}`, "/dns4/bj.example/tcp/7100"],
      },
    });
    const p = coken(["peer", "start", "--config", peers], PASS);
    assert.equal(p.code, 1);
    assert.match(
      p.err,
      new RegExp(`^${peers}: \\$\\.p2p\\.peers\\[1\\]: expected a multiaddr .*/p2p/<peer id>`),
    );
    assert.doesNotMatch(p.err, /\n\s+at /, "no stack trace");
  });

  it("says which field is missing, in the config and in the genesis", async () => {
    const noStore = config("nostore.jsonc", { store: undefined });
    const r = coken(["peer", "start", "--config", noStore], PASS);
    assert.equal(r.code, 1);
    assert.equal(r.err, `${noStore}: $.store: missing (expected an object)\n`);

    const genesis = await network();
    const broken = structuredClone(genesis) as { agencies: Record<string, unknown>[] };
    delete broken.agencies[0]?.publicKey;
    writeFileSync(join(dir, "broken-genesis.json"), JSON.stringify(broken));
    const file = config("badgenesis.jsonc", { genesis: "broken-genesis.json" });
    const g = coken(["peer", "start", "--config", file], PASS);
    assert.equal(g.code, 1);
    assert.match(g.err, /broken-genesis\.json: \$\.agencies\[0\]\.publicKey: missing\n$/);
    assert.doesNotMatch(g.err, /invalid text/);
  });
});

describe("coken peer start: the keystore's agency", { timeout: 300_000 }, () => {
  it("refuses a keystore whose agency is not in the genesis, naming both", async () => {
    await network();
    const file = config("stranger.jsonc", { keystore: "stranger.key.json" });
    const r = coken(["peer", "start", "--config", file], PASS);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /agency xx\.stranger is not an agency of this chain \(not in the genesis .*genesis\.json/,
    );
    assert.match(r.err, /"observer": true/);
  });

  it("starts the same keystore as an observer, which does not vote", async () => {
    const file = config("observer.jsonc", { keystore: "stranger.key.json", observer: true });
    const r = await runPeerUntil(["peer", "start", "--config", file], PASS, /"msg":"peer started"/);
    assert.ok(r.reached, r.err);
    assert.match(r.err, /"msg":"peer started".*"validator":false/);
    assert.equal(r.code, 0, r.err);
  });
});

describe("coken chain verify", () => {
  it("creates nothing for a missing PGlite folder, and refuses a folder without a store", async () => {
    await network();
    const missing = join(dir, "no-such-db");
    const r = coken(["chain", "verify", "--genesis", join(dir, "genesis.json"), "--pglite", missing]);
    assert.equal(r.code, 1);
    assert.match(r.out, /no chain to verify: .*no-such-db is not a PGlite data folder/);
    assert.equal(existsSync(missing), false);
    const empty = join(dir, "empty-db");
    mkdirSync(empty);
    assert.equal(
      coken(["chain", "verify", "--genesis", join(dir, "genesis.json"), "--pglite", empty]).code,
      1,
    );
    assert.deepEqual(readdirSync(empty), []);
  });
});
