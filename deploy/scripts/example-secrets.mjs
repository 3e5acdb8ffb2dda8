#!/usr/bin/env node
// Writes the secrets of the EXAMPLE network (deploy/config/genesis.json) into a folder, one sub-folder per agency:
// keystore.json, passphrase, operator.token and db-password. The signing keys come from public, fixed seeds so
// that they match the example genesis: anyone can derive them. Never use them, or this script, for a real network.
//
//   npm run build && node deploy/scripts/example-secrets.mjs deploy/secrets        # for compose.yaml
//   node deploy/scripts/example-secrets.mjs deploy/k8s/secrets                       # for k8s/kustomization.yaml
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encryptKey } from "@coken/keystore";

/** The example network's agencies (deploy/config/genesis.json lists their public keys). */
export const EXAMPLE_AGENCIES = ["hn.land-registry", "hn.tax-bureau", "gd.housing-authority", "cn.regulator"];

/** The publicly known seed of an example agency's key. */
export function exampleSeed(agency) {
  return new Uint8Array(createHash("sha256").update(`coken example network, not secret: ${agency}`).digest());
}

async function writeAgency(dir, agency) {
  const folder = join(dir, agency);
  await mkdir(folder, { recursive: true });
  const passphrase = randomBytes(24).toString("base64url");
  const keystore = await encryptKey(exampleSeed(agency), { agency, passphrase });
  const files = {
    "keystore.json": `${JSON.stringify(keystore, null, 2)}\n`,
    passphrase: `${passphrase}\n`,
    "operator.token": `${randomBytes(32).toString("hex")}\n`,
    "db-password": `${randomBytes(24).toString("base64url")}\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(folder, name);
    // Containers read these as a non-root user whose uid need not be yours: the files are world-readable and
    // the folder is closed to other local users instead.
    await writeFile(path, text, { mode: 0o644 });
    await chmod(path, 0o644);
  }
  return keystore.publicKey;
}

async function main(argv) {
  const [dir] = argv;
  if (!dir) {
    process.stderr.write("usage: node deploy/scripts/example-secrets.mjs DIR\n");
    return 2;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const agency of EXAMPLE_AGENCIES) {
    const publicKey = await writeAgency(dir, agency);
    process.stdout.write(`${agency} ${publicKey} -> ${join(dir, agency)}/\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
