import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ZkQueryKind } from "../api.js";
import { ZkError } from "../errors.js";
import type { VerificationKeyJson } from "./snark.js";

/** What a keys entry of the cache holds, written last (its presence means the entry is complete). */
export interface ArtifactManifest {
  /** Circuit instance id, e.g. "range-d20". */
  circuit: string;
  queryKinds: ZkQueryKind[];
  constraints: number;
  /** The circuit's domain power (phase-1 power it needs). */
  power: number;
  ptauId: string;
  /** "dev": phase 1 from known secrets; "mpc": imported from a multi-party ceremony. */
  phase1: "dev" | "mpc";
  /** "local": one contribution on this machine; "ceremony": every agency contributed in turn, each verified. */
  phase2: "local" | "ceremony";
  /** Contributor names in order (agency ids in a ceremony). */
  contributors: string[];
  /** True unless phase 1 is "mpc" and phase 2 is "ceremony": such keys are for development only. */
  devSetup: boolean;
  /** Hex of the verifying-key hash published on the ledger. */
  verifyingKeyHash: string;
  compileKey: string;
  setupKey: string;
}

/** Paths of one circuit's artifacts, with its manifest. */
export interface CircuitArtifacts extends ArtifactManifest {
  r1cs: string;
  wasm: string;
  zkey: string;
  vkeyFile: string;
}

/** File names inside a keys entry. */
export const KEY_FILES = { zkey: "circuit.zkey", vkey: "vkey.json", manifest: "manifest.json" } as const;

/** Reads a keys entry's manifest; throws ARTIFACT_MISSING. */
export async function readManifest(dir: string): Promise<ArtifactManifest> {
  try {
    return JSON.parse(await readFile(join(dir, KEY_FILES.manifest), "utf8")) as ArtifactManifest;
  } catch {
    throw new ZkError("ARTIFACT_MISSING", `no artifact manifest in ${dir}`, { dir });
  }
}

/** Reads the verification key JSON of a set of artifacts. */
export async function readVerificationKey(
  artifacts: Pick<CircuitArtifacts, "vkeyFile">,
): Promise<VerificationKeyJson> {
  try {
    return JSON.parse(await readFile(artifacts.vkeyFile, "utf8")) as VerificationKeyJson;
  } catch {
    throw new ZkError("ARTIFACT_MISSING", `cannot read ${artifacts.vkeyFile}`);
  }
}

/** Production configurations refuse development keys; throws DEV_SETUP naming the circuit. */
export function requireProductionKeys(
  artifacts: readonly Pick<ArtifactManifest, "circuit" | "devSetup">[],
): void {
  for (const a of artifacts) {
    if (a.devSetup) {
      throw new ZkError(
        "DEV_SETUP",
        `${a.circuit} has development keys: run a ceremony over an imported phase-1 file`,
        {
          circuit: a.circuit,
        },
      );
    }
  }
}
