import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { CIRCUITS, type CircuitName, type CircuitParams, mainSource } from "../circuits.js";
import { circuitsDir } from "../compile.js";

const require = createRequire(import.meta.url);

async function circomFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await circomFiles(path)));
    else if (entry.name.endsWith(".circom")) out.push(path);
  }
  return out.sort();
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/**
 * The content key of a compiled circuit instance: SHA-256 over every circuit source file (path and bytes), the
 * circomlib and circom2 versions and the instance's main file. Any change to any of them gives a new key.
 */
export async function compileKey(
  name: CircuitName,
  params: CircuitParams,
  dir = circuitsDir(),
): Promise<string> {
  const h = createHash("sha256").update("coken.zk.v1/compile\0");
  for (const file of await circomFiles(dir)) {
    h.update(relative(dir, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  h.update(`circomlib@${packageVersion("circomlib")}\0circom2@${packageVersion("circom2")}\0`);
  h.update(mainSource(CIRCUITS[name], params));
  return h.digest("hex");
}

/** The content key of a proving/verifying key pair: the compiled circuit's key and the phase-1 file's id. */
export function setupKey(compiled: string, ptauId: string, ceremony: string): string {
  return createHash("sha256").update(`coken.zk.v1/setup\0${compiled}\0${ptauId}\0${ceremony}`).digest("hex");
}
