import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** The artifact cache root: `$COKEN_ZK_CACHE`, else `~/.cache/coken/zk`. Never inside the repository. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.COKEN_ZK_CACHE;
  return configured !== undefined && configured !== ""
    ? configured
    : join(homedir(), ".cache", "coken", "zk");
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Produces the entry `dir` once: `fill` writes into a fresh temporary directory next to it, which is renamed into
 * place only when `fill` succeeds, so an interrupted build never leaves a half-written entry behind. When
 * another build finished the same entry first, its result is kept and ours dropped (same content by key).
 */
export async function materialize(dir: string, fill: (tmp: string) => Promise<void>): Promise<boolean> {
  if (await exists(dir)) return false;
  const parent = join(dir, "..");
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${randomBytes(6).toString("hex")}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(dir))) throw err;
    });
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
