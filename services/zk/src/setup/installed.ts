import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseCircuitId } from "../circuits.js";
import { ZkError } from "../errors.js";
import { artifactsAt, readCompiled } from "./build.js";
import { cacheEntry } from "./cache-layout.js";
import { type CircuitArtifacts, KEY_FILES, readManifest } from "./manifest.js";
import { compileKey } from "./sources.js";

/**
 * The circuits a peer proves with when its configuration names none: the benchmark sizes (2^20-row trees, five
 * fields) and the well-formedness chunk circuit of that layout with two indexes, in chunks of 16 positions — within
 * about 10% of the cheapest chunk per row measured (docs/BENCHMARKS.md) at a quarter of the 64-position chunk's
 * proving key and memory. A peer proves evidence with it and verifies others' evidence of that layout with it.
 */
export const DEFAULT_CIRCUIT_IDS: readonly string[] = [
  "threshold-d20-f5",
  "membership-d20",
  "range-d20",
  "wellformed-f5-i2-r16",
];

/** A complete keys entry of the cache, with when it was finished. */
export interface InstalledArtifacts extends CircuitArtifacts {
  finishedMs: number;
}

/**
 * The complete keys entries in the cache (`coken zk build` or `coken zk ceremony finalize` wrote them) for the
 * named circuits as this code's sources compile them, joined with their compiled circuit. Keys of other versions
 * of a circuit's source (whose signals may differ) and entries still being written are not listed.
 */
export async function installedArtifacts(
  cacheDir: string,
  circuits: readonly string[],
): Promise<InstalledArtifacts[]> {
  const current = new Set(
    await Promise.all(
      circuits.map((id) => {
        const { def, params } = parseCircuitId(id);
        return compileKey(def.name, params);
      }),
    ),
  );
  const root = join(cacheDir, "keys");
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: InstalledArtifacts[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    const dir = cacheEntry(cacheDir, "keys", name);
    const finished = await stat(join(dir, KEY_FILES.manifest)).catch(() => null);
    if (finished === null) continue;
    const manifest = await readManifest(dir);
    if (!current.has(manifest.compileKey)) continue;
    const compiled = await readCompiled(cacheDir, manifest.compileKey);
    out.push({ ...artifactsAt(dir, compiled, manifest), finishedMs: finished.mtimeMs });
  }
  return out;
}

/**
 * The keys to prove with, one set per named circuit: ceremony keys before development keys, then the most
 * recently finished. `production` refuses development keys altogether. Throws ARTIFACT_MISSING naming the first
 * circuit without usable keys.
 */
export function chooseArtifacts(
  installed: readonly InstalledArtifacts[],
  circuits: readonly string[],
  options: { production: boolean },
): InstalledArtifacts[] {
  return circuits.map((circuit) => {
    const candidates = installed
      .filter((a) => a.circuit === circuit && !(options.production && a.devSetup))
      .sort((x, y) => Number(x.devSetup) - Number(y.devSetup) || y.finishedMs - x.finishedMs);
    const best = candidates[0];
    if (best === undefined) {
      const devOnly = options.production && installed.some((a) => a.circuit === circuit);
      throw new ZkError(
        "ARTIFACT_MISSING",
        devOnly
          ? `${circuit} has development keys only: production needs ceremony keys (coken zk ceremony)`
          : `no keys for ${circuit}: run coken zk build or coken zk ceremony`,
        { circuit },
      );
    }
    return best;
  });
}
