import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { CIRCUITS, type CircuitName, type CircuitParams, circuitId } from "../circuits.js";
import { compileCircuit } from "../compile.js";
import { ZkError } from "../errors.js";
import { materialize } from "./cache.js";
import { cacheEntry } from "./cache-layout.js";
import { type ArtifactManifest, type CircuitArtifacts, KEY_FILES, readManifest } from "./manifest.js";
import { type Progress, silent, timed } from "./progress.js";
import { cachedPtau, devPtau, importPtau, type PtauFile } from "./ptau.js";
import { readR1csInfo } from "./r1cs.js";
import { curveLoaded, loadSnarkjs, releaseCurve, type Snarkjs } from "./snark.js";
import { compileKey, setupKey } from "./sources.js";
import { verificationKeyHash } from "./vkey-hash.js";

/** One circuit instance to build. */
export interface CircuitSpec {
  name: CircuitName;
  params: CircuitParams;
}

/** Where phase 1 comes from: generated from known secrets (dev), imported from a ceremony, or already imported. */
export type PhaseOne =
  | { kind: "dev" }
  | { kind: "import"; path: string; verify?: boolean }
  | { kind: "cached" };

export interface BuildOptions {
  cacheDir: string;
  phaseOne: PhaseOne;
  progress?: Progress;
}

/** Printed (stderr) and stored whenever development keys are made or used. */
export const DEV_SETUP_BANNER = [
  "################################################################################",
  "#  DEVELOPMENT SETUP: NOT FOR PRODUCTION. These keys come from secrets known to  #",
  "#  this machine (and a one-party phase 2): whoever kept them can forge proofs.   #",
  "#  Production keys: import a multi-party phase-1 file and run `coken zk ceremony`. #",
  "################################################################################",
].join("\n");

export interface Compiled {
  key: string;
  id: string;
  r1cs: string;
  wasm: string;
  constraints: number;
  power: number;
}

const COMPILED_INFO = "compiled.json";

/** Compiles a circuit instance into the cache (reused when its content key is already there). */
export async function compileCached(
  cacheDir: string,
  spec: CircuitSpec,
  progress: Progress = silent,
): Promise<Compiled> {
  const key = await compileKey(spec.name, spec.params);
  const id = circuitId(spec.name, spec.params);
  const dir = cacheEntry(cacheDir, "circuits", key);
  await materialize(dir, async (tmp) => {
    const out = await timed(progress, `compile ${id}`, () =>
      compileCircuit(CIRCUITS[spec.name], spec.params, { outDir: tmp }),
    );
    const info = await readR1csInfo(out.r1cs);
    const record = { id, r1cs: relative(tmp, out.r1cs), wasm: relative(tmp, out.wasm), ...info };
    await writeFile(join(tmp, COMPILED_INFO), JSON.stringify(record));
  });
  return readCompiled(cacheDir, key);
}

/** A compiled circuit already in the cache, by its content key; throws ARTIFACT_MISSING when absent. */
export async function readCompiled(cacheDir: string, key: string): Promise<Compiled> {
  const dir = cacheEntry(cacheDir, "circuits", key);
  let record: Compiled;
  try {
    record = JSON.parse(await readFile(join(dir, COMPILED_INFO), "utf8")) as Compiled;
  } catch {
    throw new ZkError("ARTIFACT_MISSING", `no compiled circuit ${key} in ${cacheDir}`, { key });
  }
  return { ...record, key, r1cs: join(dir, record.r1cs), wasm: join(dir, record.wasm) };
}

async function phaseOneFile(options: BuildOptions, power: number, progress: Progress): Promise<PtauFile> {
  const p = options.phaseOne;
  if (p.kind === "dev") return devPtau(options.cacheDir, power, progress);
  if (p.kind === "cached") return cachedPtau(options.cacheDir, power);
  const file = await importPtau(options.cacheDir, p.path, { verify: p.verify === true, progress });
  if (file.power < power) {
    throw new ZkError(
      "CEREMONY_INVALID",
      `phase-1 power ${file.power} is below the ${power} the circuits need`,
    );
  }
  return file;
}

/** Initial phase-2 key (no contribution yet) from the r1cs and a prepared phase-1 file; throws CEREMONY_INVALID. */
export async function initialZkey(snarkjs: Snarkjs, r1cs: string, ptau: string, out: string): Promise<void> {
  // newZKey reports a size mismatch by returning -1 rather than throwing.
  const result = (await snarkjs.zKey.newZKey(r1cs, ptau, out)) as unknown;
  if (!(result instanceof Uint8Array))
    throw new ZkError("CEREMONY_INVALID", `phase-2 init failed for ${r1cs}`);
}

/** Writes the verification key, its hash and the manifest into a keys entry being filled. */
export async function finishKeys(
  snarkjs: Snarkjs,
  dir: string,
  manifest: Omit<ArtifactManifest, "verifyingKeyHash">,
): Promise<ArtifactManifest> {
  const vk = await snarkjs.zKey.exportVerificationKey(join(dir, KEY_FILES.zkey));
  await writeFile(join(dir, KEY_FILES.vkey), JSON.stringify(vk));
  const full: ArtifactManifest = {
    ...manifest,
    verifyingKeyHash: Buffer.from(verificationKeyHash(vk)).toString("hex"),
  };
  await writeFile(join(dir, KEY_FILES.manifest), JSON.stringify(full, null, 2));
  return full;
}

/** Paths of a complete keys entry, joined with its compiled circuit. */
export function artifactsAt(
  dir: string,
  compiled: Pick<Compiled, "r1cs" | "wasm">,
  m: ArtifactManifest,
): CircuitArtifacts {
  return {
    ...m,
    r1cs: compiled.r1cs,
    wasm: compiled.wasm,
    zkey: join(dir, KEY_FILES.zkey),
    vkeyFile: join(dir, KEY_FILES.vkey),
  };
}

/**
 * `coken zk build`: compiles every circuit, gets a phase-1 file big enough for all, runs a one-party phase 2 and
 * exports the verification keys with their hashes. Every step is cached by content and written atomically.
 * The keys are development keys (`devSetup: true`); production keys come from `runCeremony`. A build that had
 * to start the curve's threads ends them, so that a caller's process can exit.
 */
export async function buildArtifacts(
  specs: readonly CircuitSpec[],
  options: BuildOptions,
): Promise<CircuitArtifacts[]> {
  const hadCurve = curveLoaded();
  try {
    return await buildAll(specs, options);
  } finally {
    if (!hadCurve) await releaseCurve();
  }
}

async function buildAll(specs: readonly CircuitSpec[], options: BuildOptions): Promise<CircuitArtifacts[]> {
  const progress = options.progress ?? silent;
  progress(DEV_SETUP_BANNER);
  const compiled: Compiled[] = [];
  for (const spec of specs) compiled.push(await compileCached(options.cacheDir, spec, progress));
  const power = Math.max(...compiled.map((c) => c.power));
  const ptau = await phaseOneFile(options, power, progress);
  const snarkjs = await loadSnarkjs();
  const out: CircuitArtifacts[] = [];
  for (const [i, c] of compiled.entries()) {
    const spec = specs[i] as CircuitSpec;
    const key = setupKey(c.key, ptau.id, "local");
    const dir = cacheEntry(options.cacheDir, "keys", key);
    await materialize(dir, async (tmp) => {
      await timed(progress, `${c.id}: phase-2 init (${c.constraints} constraints, 2^${c.power})`, () =>
        initialZkey(snarkjs, c.r1cs, ptau.path, join(tmp, "init.zkey")),
      );
      await timed(progress, `${c.id}: local phase-2 contribution`, () =>
        snarkjs.zKey.contribute(
          join(tmp, "init.zkey"),
          join(tmp, "local.zkey"),
          "coken dev setup",
          randomBytes(32).toString("hex"),
        ),
      );
      await rename(join(tmp, "local.zkey"), join(tmp, KEY_FILES.zkey));
      await rm(join(tmp, "init.zkey"));
      await finishKeys(snarkjs, tmp, {
        circuit: c.id,
        queryKinds: [...CIRCUITS[spec.name].queryKinds],
        constraints: c.constraints,
        power: c.power,
        ptauId: ptau.id,
        phase1: ptau.devSetup ? "dev" : "mpc",
        phase2: "local",
        contributors: ["coken dev setup"],
        devSetup: true,
        compileKey: c.key,
        setupKey: key,
      });
    });
    out.push(artifactsAt(dir, c, await readManifest(dir)));
  }
  return out;
}
