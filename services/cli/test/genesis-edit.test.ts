import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateKeystore } from "@coken/keystore";
import { parseGenesis, toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import { coken } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "coken-genesis-"));
const FAST_KDF = { N: 1 << 14, r: 8, p: 1 };

async function keystore(agency: string) {
  const file = join(dir, `${agency}.key.json`);
  const { signer } = await generateKeystore(file, { agency, passphrase: "pw", kdf: FAST_KDF });
  return {
    file,
    publicKey: toHex(signer.publicKey),
    peerId: peerIdFromPublicKey(signer.publicKey).toString(),
  };
}

describe("coken keys show", () => {
  it("prints the libp2p peer id and the multiaddr template", async () => {
    const k = await keystore("show.me");
    const r = coken(["keys", "show", k.file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^peerId ${k.peerId}$`, "m"));
    assert.match(r.out, new RegExp(`^multiaddr /ip4/<host>/tcp/<port>/p2p/${k.peerId}$`, "m"));
    assert.match(coken(["keys", "show", "--help"]).out, /peer id/);
  });
});

describe("coken genesis new / add-agency / check", () => {
  const file = join(dir, "genesis.json");

  it("documents the commands", () => {
    assert.match(coken(["genesis", "new", "--help"]).out, /--chain-id ID.*--out FILE/);
    const help = coken(["genesis", "add-agency", "--help"]).out;
    for (const option of ["--keystore FILE", "--region R", "--roles LIST", "--power N", "--balance N"])
      assert.ok(help.includes(option), option);
  });

  it("builds a genesis agency by agency that genesis check accepts", async () => {
    const made = coken([
      "genesis",
      "new",
      "--chain-id",
      "coken-test",
      "--out",
      file,
      "--time",
      "2026-03-01T08:00:00Z",
    ]);
    assert.equal(made.code, 0, made.err);
    assert.equal(coken(["genesis", "check", file]).code, 1, "no validator yet");

    const sh = await keystore("sh.land");
    const bj = await keystore("bj.housing");
    const reg = await keystore("regulator");
    const add = (k: { file: string }, ...more: string[]) =>
      coken(["genesis", "add-agency", file, "--keystore", k.file, ...more]);
    const first = add(sh, "--region", "CN-SH", "--name", "Shanghai Land", "--balance", "1000");
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /genesisHash [0-9a-f]{64}/);
    assert.equal(add(bj, "--region", "CN-BJ", "--power", "20").code, 0);
    assert.equal(add(reg, "--region", "CN", "--roles", "regulator").code, 0);

    const g = parseGenesis(JSON.parse(readFileSync(file, "utf8")));
    assert.equal(g.chainId, "coken-test");
    assert.equal(g.genesisTime, Date.UTC(2026, 2, 1, 8));
    assert.deepEqual(
      g.agencies.map((a) => [a.id, a.name, a.region, toHex(a.publicKey), a.roles, a.balance]),
      [
        ["sh.land", "Shanghai Land", "CN-SH", sh.publicKey, ["validator", "member"], 1000n],
        ["bj.housing", "bj.housing", "CN-BJ", bj.publicKey, ["validator", "member"], 0n],
        ["regulator", "regulator", "CN", reg.publicKey, ["regulator"], 0n],
      ],
    );
    assert.deepEqual(g.validators, [
      { agency: "sh.land", power: 10 },
      { agency: "bj.housing", power: 20 },
    ]);
    const check = coken(["genesis", "check", file]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /agencies 3\nvalidators 2/);
  });

  it("refuses a duplicate agency or key and leaves the file as it was", async () => {
    const before = readFileSync(file, "utf8");
    const again = coken([
      "genesis",
      "add-agency",
      file,
      "--keystore",
      join(dir, "sh.land.key.json"),
      "--region",
      "CN",
    ]);
    assert.equal(again.code, 1);
    assert.match(again.out, /already lists agency sh\.land/);
    assert.equal(readFileSync(file, "utf8"), before);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".tmp")),
      [],
      "no temp file left behind",
    );
  });

  it("refuses what the genesis rules refuse, naming the field, before writing", async () => {
    const before = readFileSync(file, "utf8");
    const k = await keystore("gd.tax");
    const bad = coken(["genesis", "add-agency", file, "--keystore", k.file, "--region", "not a region"]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /\$\.agencies\[3\]\.region: expected a region code/);
    const role = coken([
      "genesis",
      "add-agency",
      file,
      "--keystore",
      k.file,
      "--region",
      "CN-GD",
      "--roles",
      "king",
    ]);
    assert.match(role.out, /\$\.agencies\[3\]\.roles\[0\]: expected one of/);
    assert.equal(readFileSync(file, "utf8"), before);
    assert.equal(
      coken(["genesis", "add-agency", file, "--keystore", k.file]).code,
      2,
      "--region is required",
    );
  });

  it("genesis new refuses a bad chain id or time and an existing file", () => {
    assert.match(
      coken(["genesis", "new", "--chain-id", "Bad Id", "--out", join(dir, "x.json")]).out,
      /\$\.chainId: expected/,
    );
    assert.match(
      coken([
        "genesis",
        "new",
        "--chain-id",
        "ok",
        "--out",
        join(dir, "y.json"),
        "--time",
        "2026-02-30T00:00:00Z",
      ]).out,
      /\$\.genesisTime: not a valid UTC time/,
    );
    const exists = coken(["genesis", "new", "--chain-id", "ok", "--out", file]);
    assert.equal(exists.code, 1);
    assert.match(exists.err, /already exists/);
  });

  it("genesis check says which field is missing, and where a syntax error is", () => {
    const doc = JSON.parse(readFileSync(file, "utf8"));
    delete doc.agencies[0].publicKey;
    const missing = join(dir, "missing.json");
    writeFileSync(missing, JSON.stringify(doc));
    const r = coken(["genesis", "check", missing]);
    assert.equal(r.code, 1);
    assert.equal(r.out, `${missing}: $.agencies[0].publicKey: missing\n`);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "chainId": "x",\n  "agencies": [}\n');
    assert.match(coken(["genesis", "check", broken]).out, new RegExp(`^${broken}:3:16: JSON syntax error`));
  });
});
