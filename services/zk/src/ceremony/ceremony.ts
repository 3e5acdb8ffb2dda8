import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { VerifyingKeyRef } from "@coken/ledger";
import { ZkError } from "../errors.js";
import { artifactsAt, finishKeys, initialZkey } from "../setup/build.js";
import { materialize } from "../setup/cache.js";
import { cacheEntry } from "../setup/cache-layout.js";
import { type CircuitArtifacts, KEY_FILES, readManifest } from "../setup/manifest.js";
import { type Progress, silent, timed } from "../setup/progress.js";
import type { PtauFile } from "../setup/ptau.js";
import { loadSnarkjs } from "../setup/snark.js";
import { setupKey } from "../setup/sources.js";
import {
  type CeremonyCircuit,
  type CeremonyTranscript,
  readTranscript,
  writeTranscript,
} from "./transcript.js";

/** A compiled circuit entering the ceremony. */
export type CeremonyInput = Omit<CeremonyCircuit, "zkeys">;

const zkeyName = (circuit: string, step: number): string =>
  `${circuit}.${String(step).padStart(4, "0")}.zkey`;
const last = (c: CeremonyCircuit): string => c.zkeys[c.zkeys.length - 1] as string;

/**
 * Starts a phase-2 ceremony in `dir`: the initial proving key of every circuit from its r1cs and the phase-1
 * file. The folder is then passed from agency to agency (or shared), each running `contribute`.
 */
export async function initCeremony(
  dir: string,
  ptau: PtauFile,
  circuits: readonly CeremonyInput[],
  progress: Progress = silent,
): Promise<CeremonyTranscript> {
  await mkdir(dir, { recursive: true });
  const snarkjs = await loadSnarkjs();
  const out: CeremonyCircuit[] = [];
  for (const c of circuits) {
    if (c.power > ptau.power)
      throw new ZkError("CEREMONY_INVALID", `${c.circuit} needs phase-1 power ${c.power}`);
    const name = zkeyName(c.circuit, 0);
    await timed(progress, `${c.circuit}: initial key`, () =>
      initialZkey(snarkjs, c.r1cs, ptau.path, join(dir, name)),
    );
    out.push({ ...c, zkeys: [name] });
  }
  const t: CeremonyTranscript = {
    ptau: { id: ptau.id, path: ptau.path, devSetup: ptau.devSetup },
    circuits: out,
    contributors: [],
  };
  await writeTranscript(dir, t);
  return t;
}

/** Checks one key of a chain against the r1cs and phase-1 file: every contribution in it must verify. */
async function checkKey(
  t: CeremonyTranscript,
  dir: string,
  c: CeremonyCircuit,
  file: string,
  progress: Progress,
): Promise<void> {
  const snarkjs = await loadSnarkjs();
  const quiet = { info() {}, debug() {}, warn() {}, error() {} };
  const ok = await timed(progress, `${c.circuit}: verify ${file}`, () =>
    snarkjs.zKey.verifyFromR1cs(c.r1cs, t.ptau.path, join(dir, file), quiet).catch(() => false),
  );
  if (ok !== true)
    throw new ZkError("CEREMONY_INVALID", `${c.circuit}: ${file} does not verify`, {
      circuit: c.circuit,
      file,
    });
}

/**
 * One agency's turn: for every circuit, verify the latest key (catching a tampered predecessor), contribute with
 * the agency's own entropy under its id, verify the new key, and record it. Nothing is recorded unless every
 * circuit's contribution verified.
 */
export async function contribute(
  dir: string,
  agency: string,
  entropy: string,
  progress: Progress = silent,
): Promise<CeremonyTranscript> {
  const t = await readTranscript(dir);
  if (t.contributors.includes(agency))
    throw new ZkError("CEREMONY_INVALID", `${agency} has already contributed`);
  const snarkjs = await loadSnarkjs();
  const made: string[] = [];
  try {
    for (const c of t.circuits) {
      await checkKey(t, dir, c, last(c), progress);
      const next = zkeyName(c.circuit, c.zkeys.length);
      made.push(next);
      await timed(progress, `${c.circuit}: contribution of ${agency}`, () =>
        snarkjs.zKey.contribute(join(dir, last(c)), join(dir, next), agency, entropy),
      );
      await checkKey(t, dir, c, next, progress);
    }
  } catch (err) {
    for (const f of made) await rm(join(dir, f), { force: true });
    throw err;
  }
  const updated: CeremonyTranscript = {
    ...t,
    circuits: t.circuits.map((c, i) => ({ ...c, zkeys: [...c.zkeys, made[i] as string] })),
    contributors: [...t.contributors, agency],
  };
  await writeTranscript(dir, updated);
  return updated;
}

/** Verifies the latest key of every circuit; throws CEREMONY_INVALID. */
export async function verifyCeremony(dir: string, progress: Progress = silent): Promise<void> {
  const t = await readTranscript(dir);
  for (const c of t.circuits) await checkKey(t, dir, c, last(c), progress);
}

/** The result of a ceremony: the keys in the cache and the `verifyingKeys` to publish with `dataset.commit`. */
export interface CeremonyResult {
  artifacts: CircuitArtifacts[];
  verifyingKeys: VerifyingKeyRef[];
}

/**
 * Closes the ceremony (at least `minContributors`, default 2): verifies every chain once more, exports the
 * verification keys and puts the final keys into the cache. Keys over a dev phase-1 file stay `devSetup`.
 */
export async function finalizeCeremony(
  dir: string,
  cacheDir: string,
  options: { minContributors?: number; progress?: Progress } = {},
): Promise<CeremonyResult> {
  const progress = options.progress ?? silent;
  const t = await readTranscript(dir);
  const min = options.minContributors ?? 2;
  if (t.contributors.length < min) {
    throw new ZkError("CEREMONY_INVALID", `${t.contributors.length} contributions, at least ${min} required`);
  }
  await verifyCeremony(dir, progress);
  const snarkjs = await loadSnarkjs();
  const artifacts: CircuitArtifacts[] = [];
  const ceremonyId = t.contributors.join(",");
  for (const c of t.circuits) {
    const key = setupKey(c.compileKey, t.ptau.id, `ceremony:${ceremonyId}:${last(c)}`);
    const entry = cacheEntry(cacheDir, "keys", key);
    await materialize(entry, async (tmp) => {
      await copyFile(join(dir, last(c)), join(tmp, KEY_FILES.zkey));
      await finishKeys(snarkjs, tmp, {
        circuit: c.circuit,
        queryKinds: c.queryKinds,
        constraints: c.constraints,
        power: c.power,
        ptauId: t.ptau.id,
        phase1: t.ptau.devSetup ? "dev" : "mpc",
        phase2: "ceremony",
        contributors: t.contributors,
        devSetup: t.ptau.devSetup,
        compileKey: c.compileKey,
        setupKey: key,
      });
    });
    artifacts.push(artifactsAt(entry, c, await readManifest(entry)));
  }
  const verifyingKeys = artifacts.flatMap((a) =>
    a.queryKinds.map((queryKind) => ({
      queryKind,
      hash: Uint8Array.from(Buffer.from(a.verifyingKeyHash, "hex")),
    })),
  );
  return { artifacts, verifyingKeys };
}
