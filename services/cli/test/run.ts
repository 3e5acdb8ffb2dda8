import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

/** Runs the built `coken` with `args`, in `cwd`, with `env` over this process's environment. */
export function coken(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    ...(cwd === undefined ? {} : { cwd }),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Starts `coken peer start`, waits until its log says `until` (or it exits), then stops it with SIGTERM; resolves
 * with its exit code and stderr.
 */
export function runPeerUntil(
  args: string[],
  env: Record<string, string>,
  until: RegExp,
): Promise<{ code: number | null; err: string; reached: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    let reached = false;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
      if (!reached && until.test(err)) {
        reached = true;
        child.kill("SIGTERM");
      }
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, err, reached }));
  });
}
