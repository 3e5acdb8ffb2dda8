import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ZkError } from "../errors.js";
import { readFileRange, readSectionMap } from "./bin-file.js";
import { exists, materialize } from "./cache.js";
import { cacheEntry } from "./cache-layout.js";
import { devSecrets, writeDevPtau } from "./dev-ptau.js";
import { type Progress, silent, timed } from "./progress.js";
import { loadCurve, loadSnarkjs } from "./snark.js";

/** A phase-1 file ready for phase 2, in the cache. */
export interface PtauFile {
  /** Identifies the file's content: `dev-p<power>-<sha>` or `mpc-p<power>-<sha>`. */
  id: string;
  path: string;
  power: number;
  /** True for a file made from known secrets: never for production keys. */
  devSetup: boolean;
}

const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** SHA-256 of a file, streamed (phase-1 files reach gigabytes). */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/**
 * Checks that a file is a BN254 powers-of-tau prepared for phase 2 and returns its power: the header's curve and
 * power, and sections 2–7 and 12–15 with the sizes that power implies. Throws CEREMONY_INVALID otherwise.
 */
export async function inspectPreparedPtau(path: string): Promise<number> {
  const bad = (why: string): never => {
    throw new ZkError("CEREMONY_INVALID", `${path}: ${why}`, { path });
  };
  const { magic, sections } = await readSectionMap(path).catch((err: Error) => bad(err.message));
  if (magic !== "ptau") bad("not a powers-of-tau file");
  const header = sections.get(1)?.[0] ?? bad("no header");
  const head = await readFileRange(path, header.offset, header.size);
  if (head.readUInt32LE(0) !== 32) bad("not a BN254 file");
  let q = 0n;
  for (let i = 31; i >= 0; i--) q = (q << 8n) | BigInt(head[4 + i] ?? 0);
  if (q !== BN254_Q) bad("not a BN254 file");
  const power = head.readUInt32LE(36);
  if (power < 1 || power > 28) bad(`power ${power} out of range`);
  const n = 2 ** power;
  const expected: [number, number][] = [
    [2, (2 * n - 1) * 64],
    [3, n * 128],
    [4, n * 64],
    [5, n * 64],
    [6, 128],
    [12, (4 * n - 1) * 64],
    [13, (2 * n - 1) * 128],
    [14, (2 * n - 1) * 64],
    [15, (2 * n - 1) * 64],
  ];
  for (const [id, size] of expected) {
    const s = sections.get(id);
    if (s === undefined) bad(`section ${id} missing${id >= 12 ? " (not prepared for phase 2)" : ""}`);
    if (s?.length !== 1 || s[0]?.size !== size) bad(`section ${id} has the wrong size for power ${power}`);
  }
  if (!sections.has(7)) bad("no contributions section");
  return power;
}

/**
 * Imports a phase-1 file from an external multi-party ceremony into the cache. The structure is always checked;
 * with `verify`, every contribution too (snarkjs powersoftau verify: slow, minutes to hours).
 */
export async function importPtau(
  cacheRoot: string,
  source: string,
  options: { verify?: boolean; progress?: Progress } = {},
): Promise<PtauFile> {
  const progress = options.progress ?? silent;
  const power = await inspectPreparedPtau(source);
  if (options.verify === true) {
    const snarkjs = await loadSnarkjs();
    const ok = await timed(progress, `verifying every contribution of ${source}`, () =>
      snarkjs.powersOfTau.verify(source),
    );
    if (!ok) throw new ZkError("CEREMONY_INVALID", `${source}: a contribution does not verify`);
  }
  const sha = await timed(progress, "hashing the phase-1 file", () => fileSha256(source));
  const id = `mpc-p${power}-${sha.slice(0, 16)}`;
  const dir = cacheEntry(cacheRoot, "ptau", id);
  await materialize(dir, async (tmp) => {
    await timed(progress, "copying the phase-1 file into the cache", () =>
      copyFile(source, join(tmp, "pot.ptau")),
    );
    await writeFile(join(tmp, "info.json"), JSON.stringify({ id, power, devSetup: false, sha256: sha }));
  });
  return { id, path: join(dir, "pot.ptau"), power, devSetup: false };
}

/** The smallest cached phase-1 file of at least `power` among those accepted by `accept`, if any. */
async function findCached(
  cacheRoot: string,
  power: number,
  devSetup: boolean,
): Promise<PtauFile | undefined> {
  const dir = join(cacheRoot, "ptau");
  if (!(await exists(dir))) return undefined;
  const found: PtauFile[] = [];
  for (const name of await readdir(dir)) {
    const info = await readFile(join(dir, name, "info.json"), "utf8").then(
      (t) => JSON.parse(t) as { id: string; power: number; devSetup: boolean },
      () => undefined,
    );
    if (info !== undefined && info.power >= power && info.devSetup === devSetup) {
      found.push({ id: info.id, path: join(dir, name, "pot.ptau"), power: info.power, devSetup });
    }
  }
  return found.sort((a, b) => a.power - b.power)[0];
}

/** A cached imported (multi-party) phase-1 file of at least `power`; throws ARTIFACT_MISSING when none. */
export async function cachedPtau(cacheRoot: string, power: number): Promise<PtauFile> {
  const found = await findCached(cacheRoot, power, false);
  if (found === undefined) {
    throw new ZkError("ARTIFACT_MISSING", `no imported phase-1 file of power ≥ ${power}: pass --ptau FILE`, {
      power,
    });
  }
  return found;
}

/**
 * DEV ONLY: a phase-1 file of at least `power` made from fresh random secrets that are thrown away at once (the
 * file is still unfit for production: nobody but this machine vouches for that). Cached and reused.
 */
export async function devPtau(
  cacheRoot: string,
  power: number,
  progress: Progress = silent,
): Promise<PtauFile> {
  const cached = await findCached(cacheRoot, power, true);
  if (cached !== undefined) return cached;
  const seed = randomBytes(32);
  const tag = createHash("sha256").update(seed).digest("hex").slice(0, 16);
  const id = `dev-p${power}-${tag}`;
  const dir = cacheEntry(cacheRoot, "ptau", id);
  await materialize(dir, async (tmp) => {
    const curve = await loadCurve();
    await timed(progress, `dev phase-1 file at 2^${power}`, () =>
      writeDevPtau(curve, power, devSecrets(seed, curve.r), join(tmp, "pot.ptau"), progress),
    );
    await writeFile(join(tmp, "info.json"), JSON.stringify({ id, power, devSetup: true }));
  });
  return { id, path: join(dir, "pot.ptau"), power, devSetup: true };
}
