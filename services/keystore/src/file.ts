import { randomBytes } from "node:crypto";
import { type FileHandle, link, lstat, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ed25519Signer, type Signer } from "@coken/ledger";
import { decryptKey, type EncryptOptions, encryptKey, type UnlockedKey } from "./crypto.js";
import { KeystoreError } from "./errors.js";
import { type KeystoreFile, parseKeystoreFile, SEED_BYTES } from "./format.js";

/** A version-1 keystore is well under 1 KiB; anything much larger is not one. */
const MAX_FILE_BYTES = 64 * 1024;
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

function errno(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string"
    ? e.code
    : undefined;
}

function ioError(e: unknown, message: string): KeystoreError {
  if (e instanceof KeystoreError) return e;
  return new KeystoreError(errno(e) === "ENOENT" ? "NOT_FOUND" : "IO", message, { cause: e });
}

/** Reads and validates a keystore file without decrypting it. */
export async function readKeystoreFile(path: string): Promise<KeystoreFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw ioError(e, `cannot open keystore ${path}`);
  }
  let text: string;
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new KeystoreError("IO", `keystore ${path} is not a regular file`);
    if (stat.size > MAX_FILE_BYTES) throw new KeystoreError("MALFORMED", `keystore ${path} is too large`);
    text = await fh.readFile("utf8");
  } catch (e) {
    throw ioError(e, `cannot read keystore ${path}`);
  } finally {
    await fh.close();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeystoreError("MALFORMED", `keystore ${path} is not valid JSON`);
  }
  return parseKeystoreFile(json);
}

/** Reads, validates and decrypts a keystore file. */
export async function loadKeystore(path: string, passphrase: string): Promise<UnlockedKey> {
  return decryptKey(await readKeystoreFile(path), passphrase);
}

/** Creates a keystore holding a fresh random key; never replaces an existing file. */
export async function generateKeystore(
  path: string,
  options: EncryptOptions,
): Promise<{ file: KeystoreFile; signer: Signer }> {
  // Checked before the (deliberately slow) key derivation; publish() checks again atomically.
  await assertAbsent(path);
  const seed = randomBytes(SEED_BYTES);
  try {
    const file = await encryptKey(seed, options);
    const signer = ed25519Signer(seed);
    await writeNewFile(path, `${JSON.stringify(file, null, 2)}\n`);
    return { file, signer };
  } finally {
    seed.fill(0);
  }
}

async function assertAbsent(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch (e) {
    if (errno(e) === "ENOENT") return;
    throw new KeystoreError("IO", `cannot check ${path}`, { cause: e });
  }
  throw new KeystoreError("EXISTS", `keystore ${path} already exists`);
}

/** Temp file in the same directory (mode 0600), fsync, then publish and fsync the directory. */
async function writeNewFile(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, "wx", 0o600);
    created = true;
    try {
      // open()'s mode is filtered by the umask; chmod makes it exactly 0600 whatever the umask.
      await fh.chmod(0o600);
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await publish(tmp, path);
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch (e) {
    if (e instanceof KeystoreError) throw e;
    throw new KeystoreError("IO", `cannot write keystore ${path}`, { cause: e });
  } finally {
    if (created) await unlink(tmp).catch(() => {});
  }
}

/**
 * link() fails if the target exists, so a file created concurrently is never replaced; rename() would replace it
 * silently. Filesystems without hard links fall back to check-then-rename, which has that race.
 */
async function publish(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
    return;
  } catch (e) {
    if (errno(e) === "EEXIST") throw new KeystoreError("EXISTS", `keystore ${path} already exists`);
    if (!NO_HARD_LINKS.has(errno(e) ?? "")) throw e;
  }
  await assertAbsent(path);
  await rename(tmp, path);
}
