import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readKeystoreFile } from "@coken/keystore";
import { CONFIG_REFERENCE, readPeerConfig } from "@coken/peer";
import { coken } from "./run.js";

const PASS = { COKEN_KEYSTORE_PASSPHRASE: "init test passphrase" };

describe("coken init", () => {
  const dir = mkdtempSync(join(tmpdir(), "coken-init-"));

  it("documents its options", () => {
    const r = coken(["init", "--help"]);
    assert.equal(r.code, 0);
    for (const option of ["--agency ID", "--region R", "--dir DIR", "--genesis FILE", "--listen MULTIADDR"])
      assert.ok(r.out.includes(option), option);
    assert.match(r.out, /--force/);
    assert.match(r.out, /COKEN_KEYSTORE_PASSPHRASE/);
  });

  it("creates a keystore, a documented config the peer parses, and a 0600 token; prints the next steps", async () => {
    const r = coken(
      ["init", "--agency", "sh.land", "--region", "CN-SH", "--name", "Shanghai Land", "--api-port", "7005"],
      PASS,
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const home = join(dir, "coken-sh.land");
    assert.equal(statSync(join(home, "operator.token")).mode & 0o777, 0o600);
    assert.match(readFileSync(join(home, "operator.token"), "utf8"), /^[0-9a-f]{64}\n$/);
    const ks = await readKeystoreFile(join(home, "keystore.json"));
    assert.equal(ks.agency, "sh.land");

    const config = await readPeerConfig(join(home, "peer.jsonc"));
    assert.equal(config.keystore, join(home, "keystore.json"));
    assert.equal(config.genesis, join(home, "genesis.json"));
    assert.equal(config.api.port, 7005);
    assert.equal(config.api.tokenFile, join(home, "operator.token"));
    assert.equal(config.observer, false);
    assert.equal(config.gateway, undefined);
    const text = readFileSync(join(home, "peer.jsonc"), "utf8");
    for (const f of CONFIG_REFERENCE)
      assert.ok(
        text.includes(`//   ${f.path} (`) || text.includes(`// ${f.path} (`),
        `${f.path} is documented`,
      );

    assert.match(r.out, new RegExp(`publicKey ${ks.publicKey}`));
    assert.match(r.out, /peerId 12D3Koo\w+/);
    assert.match(
      r.out,
      /coken genesis add-agency .*--keystore coken-sh\.land\/keystore\.json --region CN-SH --name 'Shanghai Land'/,
    );
    assert.match(r.out, /coken peer start --config coken-sh\.land\/peer\.jsonc/);
  });

  it("refuses to overwrite without --force, and replaces everything with it", async () => {
    const home = join(dir, "coken-sh.land");
    const token = readFileSync(join(home, "operator.token"), "utf8");
    const { publicKey } = await readKeystoreFile(join(home, "keystore.json"));
    const refused = coken(["init", "--agency", "sh.land", "--region", "CN-SH"], PASS, dir);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /refusing to overwrite .*keystore\.json.*--force/);
    assert.equal(readFileSync(join(home, "operator.token"), "utf8"), token);

    const forced = coken(["init", "--agency", "sh.land", "--region", "CN-SH", "--force"], PASS, dir);
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(readFileSync(join(home, "operator.token"), "utf8"), token);
    assert.equal(statSync(join(home, "operator.token")).mode & 0o777, 0o600);
    assert.notEqual((await readKeystoreFile(join(home, "keystore.json"))).publicKey, publicKey);
  });

  it("writes a gateway section and a chosen genesis, and refuses a bad listen address before writing", async () => {
    const home = join(dir, "gd");
    const r = coken(
      ["init", "--agency", "gd.tax", "--region", "CN-GD", "--dir", home, "--genesis", join(dir, "net.json")],
      { ...PASS },
    );
    assert.equal(r.code, 0, r.err);
    const withGateway = join(dir, "gw");
    const g = coken(
      ["init", "--agency", "gd.tax", "--region", "CN-GD", "--dir", withGateway, "--gateway-port", "8443"],
      PASS,
    );
    assert.equal(g.code, 0, g.err);
    assert.equal((await readPeerConfig(join(home, "peer.jsonc"))).genesis, join(dir, "net.json"));
    assert.equal((await readPeerConfig(join(withGateway, "peer.jsonc"))).gateway?.port, 8443);

    const bad = coken(
      ["init", "--agency", "gd.x", "--region", "CN", "--dir", join(dir, "bad"), "--listen", "tcp:7100"],
      PASS,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.err, /\$\.p2p\.listen: expected a multiaddr/);
    assert.throws(() => statSync(join(dir, "bad")));
  });

  it("needs a passphrase", () => {
    const r = coken(["init", "--agency", "x", "--region", "CN", "--dir", join(dir, "nopass")], {
      COKEN_KEYSTORE_PASSPHRASE: "",
    });
    assert.equal(r.code, 2);
    assert.throws(() => statSync(join(dir, "nopass")));
  });
});

describe("coken config reference", () => {
  it("lists every field with its default", () => {
    const r = coken(["config", "reference"]);
    assert.equal(r.code, 0);
    for (const f of CONFIG_REFERENCE) assert.ok(r.out.includes(`${f.path}  (`), f.path);
    assert.match(r.out, /consensus\.timeoutProposeMs {2}\(integer ms; default 3000\)/);
    assert.match(r.out, /genesis {2}\(path; required\)/);
  });

  it("prints a Markdown table for the README", () => {
    const r = coken(["config", "reference", "--markdown"]);
    assert.equal(r.code, 0);
    const rows = r.out.trimEnd().split("\n");
    assert.equal(rows.length, CONFIG_REFERENCE.length + 2);
    assert.match(rows[0] ?? "", /^\| field \| type \|/);
    assert.match(r.out, /\| `p2p\.listen` \| multiaddr \| required \|/);
  });
});
