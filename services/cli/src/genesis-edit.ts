import { randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readKeystoreFile } from "@coken/keystore";
import {
  createHasher,
  ed25519Signer,
  GenesisError,
  genesisHash,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  parseGenesis,
  toHex,
} from "@coken/ledger";
import { ConfigError, parseJson } from "@coken/peer/config";
import { type CommandResult, UsageError } from "./commands.js";

type Json = Record<string, unknown>;

// A genesis under construction has no validator until its first validator agency is added, and parseGenesis
// refuses that (and checks the chain id last). So a draft is checked with a stand-in validator appended: every
// other rule still applies, to the same paths, and the stand-in is never written.
const STAND_IN = {
  id: "genesis-draft.stand-in",
  name: "stand-in",
  region: "XX",
  publicKey: toHex(ed25519Signer(new Uint8Array(32).fill(7)).publicKey),
  roles: ["validator"],
};

/**
 * Checks a genesis document that may not have a validator yet, with parseGenesis's rules and paths. Returns
 * whether it is complete (has a validator), or throws GenesisError.
 */
export function checkGenesisDraft(doc: Json): { complete: boolean } {
  const validators = doc.validators;
  if (Array.isArray(validators) && validators.length === 0 && Array.isArray(doc.agencies)) {
    parseGenesis({
      ...doc,
      agencies: [...doc.agencies, STAND_IN],
      validators: [{ agency: STAND_IN.id, power: 1 }],
    });
    return { complete: false };
  }
  parseGenesis(doc);
  return { complete: true };
}

/** Writes `text` to `file` through a temp file in the same folder and a rename, so readers see all or nothing. */
async function replaceFile(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** Now, to the second: genesis times read better without milliseconds. */
function nowIso(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function refusal(file: string, e: unknown): CommandResult {
  if (e instanceof GenesisError) return { code: 1, out: `${file}: ${e.path}: ${e.reason}\n` };
  if (e instanceof ConfigError) return { code: 1, out: `${e.message}\n` };
  throw e;
}

/** `coken genesis new`: a genesis with no agencies yet, to which `genesis add-agency` adds each agency. */
export async function genesisNew(opts: {
  chainId: string;
  out: string;
  hash: string | undefined;
  time: string | undefined;
}): Promise<CommandResult> {
  const hash = opts.hash ?? "sha256";
  if (!(HASH_ALGORITHMS as readonly string[]).includes(hash))
    throw new UsageError(`--hash: expected one of ${HASH_ALGORITHMS.join(", ")}`);
  const doc = {
    chainId: opts.chainId,
    genesisTime: opts.time ?? nowIso(),
    hashAlgorithm: hash as HashAlgorithm,
    agencies: [],
    validators: [],
  };
  try {
    checkGenesisDraft(doc);
  } catch (e) {
    return refusal(opts.out, e);
  }
  const fh = await open(opts.out, "wx", 0o644).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "EEXIST") throw new Error(`${opts.out} already exists; refusing to overwrite it`);
    throw e;
  });
  try {
    await fh.writeFile(`${JSON.stringify(doc, null, 2)}\n`, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  return {
    code: 0,
    out: [
      `wrote ${opts.out}: chainId ${doc.chainId}, hashAlgorithm ${hash}, genesisTime ${doc.genesisTime}, no agencies yet`,
      "next: add each agency from its keystore (the public part; no passphrase):",
      `  coken genesis add-agency ${opts.out} --keystore KEYSTORE --region REGION --name NAME`,
      "",
    ].join("\n"),
  };
}

export interface AddAgencyOptions {
  file: string;
  keystore: string;
  region: string;
  name: string | undefined;
  roles: string | undefined;
  power: string | undefined;
  balance: string | undefined;
}

/** `coken genesis add-agency`: adds the agency of a keystore (and its validator entry) to a genesis file. */
export async function genesisAddAgency(opts: AddAgencyOptions): Promise<CommandResult> {
  const ks = await readKeystoreFile(opts.keystore);
  const roles = (opts.roles ?? "validator,member").split(",").map((r) => r.trim());
  const validator = roles.includes("validator");
  if (!validator && opts.power !== undefined)
    throw new UsageError("--power is for validators: add the validator role to --roles");
  const power = opts.power === undefined ? 10 : Number(opts.power);
  if (!Number.isSafeInteger(power)) throw new UsageError("--power: expected an integer");
  let doc: Json;
  try {
    const parsed = parseJson(await readFile(opts.file, "utf8"), opts.file);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new GenesisError("$", "expected an object");
    doc = parsed as Json;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      return { code: 1, out: `${opts.file}: no such file (coken genesis new creates one)\n` };
    return refusal(opts.file, e);
  }
  const agencies = Array.isArray(doc.agencies) ? (doc.agencies as Json[]) : null;
  const validators = Array.isArray(doc.validators) ? (doc.validators as Json[]) : null;
  if (agencies === null || validators === null)
    return { code: 1, out: `${opts.file}: $.agencies and $.validators: expected arrays\n` };
  const same = agencies.find((a) => a.id === ks.agency || a.publicKey === ks.publicKey);
  if (same !== undefined)
    return {
      code: 1,
      out: `${opts.file}: already lists ${same.id === ks.agency ? `agency ${ks.agency}` : `the key of ${ks.agency} (as ${String(same.id)})`}; nothing changed\n`,
    };
  const agency = {
    id: ks.agency,
    name: opts.name ?? ks.agency,
    region: opts.region,
    publicKey: ks.publicKey,
    keyScheme: ks.scheme,
    roles,
    balance: opts.balance ?? "0",
  };
  const next = {
    ...doc,
    agencies: [...agencies, agency],
    validators: validator ? [...validators, { agency: ks.agency, power }] : validators,
  };
  let complete: boolean;
  try {
    ({ complete } = checkGenesisDraft(next));
  } catch (e) {
    return refusal(opts.file, e);
  }
  await replaceFile(opts.file, `${JSON.stringify(next, null, 2)}\n`);
  const lines = [
    `added agency ${ks.agency} to ${opts.file} (roles ${roles.join(",")}${validator ? `, power ${power}` : ""})`,
    `agencies ${next.agencies.length}`,
    `validators ${next.validators.length}`,
  ];
  if (complete) {
    const g = parseGenesis(next);
    lines.push(`genesisHash ${toHex(genesisHash(createHasher(g.hashAlgorithm), g))}`);
  } else lines.push("not yet usable: a genesis needs at least one validator");
  return { code: 0, out: `${lines.join("\n")}\n` };
}
