import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createVerifier, toHex, utf8 } from "@coken/ledger";
import { generateKeystore, loadKeystore, readKeystoreFile } from "../src/index.js";
import { code, FAST_KDF } from "./helpers.js";

const PASS = "пароль-共票-2025";

describe("keystore files", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-keystore-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("generate then load gives a working signer for the agency", async () => {
    const path = join(dir, "peer.json");
    const { file, signer } = await generateKeystore(path, {
      agency: "sh.land-registry",
      passphrase: PASS,
      kdf: FAST_KDF,
    });
    assert.equal(file.publicKey, toHex(signer.publicKey));
    assert.deepEqual(await readKeystoreFile(path), file);
    const loaded = await loadKeystore(path, PASS);
    assert.equal(loaded.agency, "sh.land-registry");
    assert.deepEqual(loaded.signer.publicKey, signer.publicKey);
    const msg = utf8.encode("hello");
    assert.ok(createVerifier().verify("ed25519", signer.publicKey, msg, loaded.signer.sign(msg)));
  });

  test("the file is mode 0600 and no temp file is left behind", async () => {
    const sub = join(dir, "mode");
    await mkdir(sub);
    const path = join(sub, "peer.json");
    await generateKeystore(path, { agency: "a1", passphrase: PASS, kdf: FAST_KDF });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(sub), ["peer.json"]);
  });

  test("an existing file is never overwritten", async () => {
    const path = join(dir, "existing.json");
    await writeFile(path, "precious");
    await assert.rejects(
      generateKeystore(path, { agency: "a1", passphrase: PASS, kdf: FAST_KDF }),
      code("EXISTS"),
    );
    assert.equal(await readFile(path, "utf8"), "precious");
  });

  test("of two concurrent generations to one path exactly one wins", async () => {
    const sub = join(dir, "race");
    await mkdir(sub);
    const path = join(sub, "peer.json");
    const results = await Promise.allSettled([
      generateKeystore(path, { agency: "a1", passphrase: PASS, kdf: FAST_KDF }),
      generateKeystore(path, { agency: "a2", passphrase: PASS, kdf: FAST_KDF }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(code("EXISTS")(lost[0]?.reason));
    assert.equal((await loadKeystore(path, PASS)).agency, won[0]?.value.file.agency);
    assert.deepEqual(await readdir(sub), ["peer.json"]);
  });

  test("a missing file is NOT_FOUND; a missing directory on write is IO", async () => {
    await assert.rejects(loadKeystore(join(dir, "absent.json"), PASS), code("NOT_FOUND"));
    await assert.rejects(
      generateKeystore(join(dir, "no-such-dir", "k.json"), { agency: "a1", passphrase: PASS, kdf: FAST_KDF }),
      code("IO"),
    );
  });

  test("non-JSON, oversized and non-regular files are refused", async () => {
    const junk = join(dir, "junk.json");
    await writeFile(junk, "{ not json");
    await assert.rejects(readKeystoreFile(junk), code("MALFORMED"));
    const big = join(dir, "big.json");
    await writeFile(big, " ".repeat(100_000));
    await assert.rejects(readKeystoreFile(big), code("MALFORMED"));
    await assert.rejects(readKeystoreFile(dir), code("IO"));
  });

  test("a wrong passphrase is refused when loading", async () => {
    const path = join(dir, "wrong.json");
    await generateKeystore(path, { agency: "a1", passphrase: PASS, kdf: FAST_KDF });
    await assert.rejects(loadKeystore(path, "nope"), code("WRONG_PASSPHRASE"));
  });
});
