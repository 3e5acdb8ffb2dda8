import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CurveThreads } from "../src/prover/messages.js";

/** One pool configuration measured on its own (small depth-20 dataset, every circuit). */
export interface PoolRun {
  size: number;
  curveThreads: CurveThreads;
  /** RSS (MiB) with artifacts and dataset loaded, before the pool starts; after a full GC. */
  baseRss: number;
  /** RSS once every prover thread is warm; after a full GC. */
  readyRss: number;
  /** Peak RSS while proving (one at a time, then all at once). */
  peakRss: number;
  /** p50 per query, one proof at a time. */
  sequentialMs: Record<string, number>;
  /** Wall time for `concurrentJobs` proofs submitted at once. */
  concurrentMs: number;
  concurrentJobs: number;
}

/** Runs each configuration in a fresh process, one after the other, and returns what they measured. */
export async function comparePoolConfigs(
  configs: readonly { size: number; curveThreads: CurveThreads }[],
): Promise<PoolRun[]> {
  const child = fileURLToPath(new URL("./pool-child.js", import.meta.url));
  const runs: PoolRun[] = [];
  for (const c of configs) {
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [child, String(c.size), c.curveThreads], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let text = "";
      p.stdout.on("data", (d: Buffer) => {
        text += d.toString();
      });
      p.on("error", reject);
      p.on("exit", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`pool run exited with ${code}`)),
      );
    });
    const last = out.trim().split("\n").at(-1) ?? "";
    runs.push(JSON.parse(last) as PoolRun);
  }
  return runs;
}
