import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createVerifier, ed25519Signer, parseGenesis, signCommit, toHex } from "@coken/ledger";
import { openStore, StoredLedger } from "@coken/store";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

function coken(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("coken CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "coken-cli-"));

  it("generates a keystore and shows its public part", () => {
    const file = join(dir, "key.json");
    const gen = coken(["keys", "generate", "--agency", "sh.land-registry", "--out", file], {
      COKEN_KEYSTORE_PASSPHRASE: "correct horse",
    });
    assert.equal(gen.code, 0, gen.err);
    const publicKey = /publicKey ([0-9a-f]{64})/.exec(gen.out)?.[1];
    assert.ok(publicKey);
    const show = coken(["keys", "show", file]);
    assert.equal(show.code, 0);
    assert.match(show.out, new RegExp(`publicKey ${publicKey}`));
    const again = coken(["keys", "generate", "--agency", "sh.land-registry", "--out", file], {
      COKEN_KEYSTORE_PASSPHRASE: "x",
    });
    assert.equal(again.code, 1);
    assert.match(again.err, /EXISTS/);
  });

  it("refuses to generate without a passphrase", () => {
    const r = coken(["keys", "generate", "--agency", "a", "--out", join(dir, "k2.json")], {
      COKEN_KEYSTORE_PASSPHRASE: "",
    });
    assert.equal(r.code, 2);
  });

  it("checks genesis files", () => {
    const good = join(dir, "genesis.json");
    writeFileSync(
      good,
      JSON.stringify({
        chainId: "coken-dev",
        genesisTime: "2026-01-01T00:00:00Z",
        agencies: [
          { id: "a", name: "A", region: "CN", publicKey: "11".repeat(32), roles: ["validator", "member"] },
        ],
        validators: [{ agency: "a", power: 1 }],
      }),
    );
    const ok = coken(["genesis", "check", good]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /appHash [0-9a-f]{64}/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ chainId: "coken-dev" }));
    const refused = coken(["genesis", "check", bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /bad\.json: \$\.genesisTime: missing/);
    assert.equal(coken(["genesis", "check", join(dir, "missing.json")]).code, 1);
  });

  it("verifies a stored chain by replaying it, and refuses it under another genesis", async () => {
    const doc = {
      chainId: "coken-dev",
      genesisTime: "2026-01-01T00:00:00Z",
      agencies: [
        {
          id: "a",
          name: "A",
          region: "CN",
          publicKey: toHex(ed25519Signer(new Uint8Array(32).fill(1)).publicKey),
          roles: ["validator", "member"],
        },
      ],
      validators: [{ agency: "a", power: 1 }],
    };
    const genesisFile = join(dir, "chain-genesis.json");
    writeFileSync(genesisFile, JSON.stringify(doc));
    const dataDir = join(dir, "chain-db");
    const store = await openStore({ kind: "pglite", dataDir });
    const stored = await StoredLedger.open(store, parseGenesis(doc), createVerifier());
    const signer = ed25519Signer(new Uint8Array(32).fill(1));
    for (let i = 1; i <= 2; i++) {
      const time = Date.UTC(2026, 0, 1) + i * 1000;
      const lastCommit = await stored.headCommit();
      const block = stored.ledger.buildBlock({ txs: [], time, proposer: "a", lastCommit });
      await stored.apply(block, signCommit(stored.ledger.hasher, block, [{ validator: "a", signer }], time));
    }
    await store.close();
    const ok = coken(["chain", "verify", "--genesis", genesisFile, "--pglite", dataDir]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /verified height 2\nreplayed height 2\n/);
    const otherFile = join(dir, "other-genesis.json");
    writeFileSync(otherFile, JSON.stringify({ ...doc, chainId: "other" }));
    const refused = coken(["chain", "verify", "--genesis", otherFile, "--pglite", dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /GENESIS_MISMATCH/);
    assert.equal(coken(["chain", "verify", "--genesis", genesisFile]).code, 2);
  });

  it("explains usage for unknown commands and options", () => {
    assert.equal(coken(["frobnicate"]).code, 2);
    assert.equal(coken(["keys", "show", "--bogus"]).code, 2);
  });
});
