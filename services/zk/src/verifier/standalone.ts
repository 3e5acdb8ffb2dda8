import type { ProofBundle } from "../api.js";
import { parseCircuitId } from "../circuits.js";
import { ZkError } from "../errors.js";
import { loadPairingCurve, type VerificationKeyJson } from "../setup/snark.js";
import { verificationKeyHash } from "../setup/vkey-hash.js";
import { checkBundle } from "./bundle.js";
import { prepareKey, verifyGroth16 } from "./groth16.js";

/** A proof bundle that passed the pairing check, with its public signals by name (e.g. `root`). */
export interface CheckedBundle {
  signals: Record<string, string>;
}

/**
 * Offline check of a stored proof bundle against a verification key alone, as an auditor replaying the ledger
 * does: canonical bundle, the key hashes to the bundle's `verifyingKeyHash`, the circuit id parses and names as
 * many public signals as the key has, then the Groth16 pairing check. What the signals must equal (the dataset
 * root in force, the request) is the caller's to compare. Rejects with a ZkError (PROOF_INVALID, KEY_UNKNOWN).
 */
export async function verifyBundleWithKey(
  bundle: ProofBundle,
  vk: VerificationKeyJson,
): Promise<CheckedBundle> {
  checkBundle(bundle);
  if (!Buffer.from(verificationKeyHash(vk)).equals(Buffer.from(bundle.verifyingKeyHash)))
    throw new ZkError("KEY_UNKNOWN", "the key does not hash to the bundle's verifying key hash");
  let names: string[];
  try {
    const { def, params } = parseCircuitId(bundle.circuit);
    names = def.publicSignals(params);
  } catch {
    throw new ZkError("PROOF_INVALID", `unknown circuit ${bundle.circuit}`);
  }
  if (names.length !== bundle.publicSignals.length || vk.nPublic !== names.length)
    throw new ZkError("PROOF_INVALID", "the key or the signals are for another circuit");
  const curve = await loadPairingCurve();
  let ok: boolean;
  try {
    ok = verifyGroth16(curve, prepareKey(curve, vk), bundle.publicSignals, bundle.proof);
  } catch (err) {
    throw new ZkError("KEY_UNKNOWN", `unusable verification key: ${(err as Error).message}`);
  }
  if (!ok) throw new ZkError("PROOF_INVALID", "the proof does not verify");
  const signals: Record<string, string> = {};
  names.forEach((name, i) => {
    signals[name] = bundle.publicSignals[i] as string;
  });
  return { signals };
}
