import type { VerifyingKeyRef } from "@coken/ledger";
import type { ZkQueryKind } from "../api.js";
import { ZkError } from "../errors.js";
import { type CircuitArtifacts, readVerificationKey, requireProductionKeys } from "../setup/manifest.js";
import type { VerificationKeyJson } from "../setup/snark.js";
import { verificationKeyHash } from "../setup/vkey-hash.js";

/** The artifacts a peer proves and verifies with, by circuit id and by verifying-key hash. */
export interface ArtifactRegistry {
  /** Artifacts of a circuit instance; throws ARTIFACT_MISSING. */
  get(circuit: string): CircuitArtifacts;
  /** The verification key with this hash (hex), checked against the hash; undefined when unknown here. */
  verificationKey(hashHex: string): Promise<VerificationKeyJson | undefined>;
  /** The circuit id whose key has this hash (hex); undefined when unknown here. */
  circuitOf(hashHex: string): string | undefined;
  /** The `verifyingKeys` entries for a dataset commitment proved with these circuits (count and sum share one). */
  verifyingKeysFor(circuits: readonly string[]): VerifyingKeyRef[];
  list(): readonly CircuitArtifacts[];
}

export interface ArtifactRegistryInit {
  /** Refuse development keys (DEV_SETUP). */
  production?: boolean;
}

/** A registry over built artifacts; verification keys are read once and kept. */
export function createArtifactRegistry(
  artifacts: readonly CircuitArtifacts[],
  init: ArtifactRegistryInit = {},
): ArtifactRegistry {
  if (init.production === true) requireProductionKeys(artifacts);
  const byCircuit = new Map(artifacts.map((a) => [a.circuit, a]));
  const byHash = new Map(artifacts.map((a) => [a.verifyingKeyHash, a]));
  const keys = new Map<string, Promise<VerificationKeyJson>>();
  return {
    get(circuit) {
      const a = byCircuit.get(circuit);
      if (a === undefined) throw new ZkError("ARTIFACT_MISSING", `no artifacts for ${circuit}`, { circuit });
      return a;
    },
    circuitOf: (hashHex) => byHash.get(hashHex)?.circuit,
    async verificationKey(hashHex) {
      const a = byHash.get(hashHex);
      if (a === undefined) return undefined;
      let key = keys.get(hashHex);
      if (key === undefined) {
        key = readVerificationKey(a).then((vk) => {
          if (Buffer.from(verificationKeyHash(vk)).toString("hex") !== hashHex) {
            throw new ZkError("KEY_UNKNOWN", `${a.vkeyFile} does not hash to ${hashHex}`);
          }
          return vk;
        });
        keys.set(hashHex, key);
        key.catch(() => keys.delete(hashHex));
      }
      return key;
    },
    verifyingKeysFor(circuits) {
      const refs: VerifyingKeyRef[] = [];
      const seen = new Set<ZkQueryKind>();
      for (const id of circuits) {
        const a = this.get(id);
        for (const kind of a.queryKinds) {
          if (seen.has(kind)) throw new ZkError("BAD_QUERY", `two circuits prove ${kind}`, { kind });
          seen.add(kind);
          refs.push({ queryKind: kind, hash: Uint8Array.from(Buffer.from(a.verifyingKeyHash, "hex")) });
        }
      }
      return refs;
    },
    list: () => artifacts,
  };
}
