import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ZkQueryKind } from "../api.js";
import { ZkError } from "../errors.js";

/** One circuit's phase-2 chain: its inputs and every contribution so far, in order. */
export interface CeremonyCircuit {
  circuit: string;
  queryKinds: ZkQueryKind[];
  r1cs: string;
  wasm: string;
  constraints: number;
  power: number;
  compileKey: string;
  /** zkey files relative to the ceremony folder: index 0 is the initial key, then one per contribution. */
  zkeys: string[];
}

/** The ceremony folder's record, rewritten after every verified step. */
export interface CeremonyTranscript {
  ptau: { id: string; path: string; devSetup: boolean };
  circuits: CeremonyCircuit[];
  /** Contributor names (agency ids) in order; a beacon appears as "beacon:<hash>". */
  contributors: string[];
}

const FILE = "ceremony.json";

/** Reads a ceremony folder's transcript; throws CEREMONY_INVALID. */
export async function readTranscript(dir: string): Promise<CeremonyTranscript> {
  try {
    return JSON.parse(await readFile(join(dir, FILE), "utf8")) as CeremonyTranscript;
  } catch {
    throw new ZkError("CEREMONY_INVALID", `no ceremony in ${dir}`, { dir });
  }
}

/** Writes the transcript (after the files it names are complete). */
export async function writeTranscript(dir: string, t: CeremonyTranscript): Promise<void> {
  const tmp = join(dir, `${FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(t, null, 2));
  await rename(tmp, join(dir, FILE));
}
