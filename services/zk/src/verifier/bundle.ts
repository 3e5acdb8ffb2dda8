import { type CborValue, encodeCbor, taggedHash } from "@coken/ledger";
import type { ProofBundle } from "../api.js";
import { parseFieldElement } from "../commitment/field.js";
import { ZkError } from "../errors.js";

const isStrings = (v: unknown, n?: number): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string") && (n === undefined || v.length === n);

/**
 * Checks the shape of a bundle from outside: Groth16, a circuit id, a 32-byte key hash, decimal field elements
 * everywhere (public signals and proof coordinates). Throws PROOF_INVALID or PUBLIC_INPUT_RANGE.
 */
export function checkBundle(bundle: ProofBundle): void {
  const bad = (why: string): never => {
    throw new ZkError("PROOF_INVALID", `malformed proof bundle: ${why}`);
  };
  if (bundle.system !== "groth16") bad("system must be groth16");
  if (typeof bundle.circuit !== "string" || bundle.circuit.length > 64) bad("circuit");
  if (!(bundle.verifyingKeyHash instanceof Uint8Array) || bundle.verifyingKeyHash.length !== 32)
    bad("verifying key hash");
  if (!isStrings(bundle.publicSignals) || bundle.publicSignals.length > 256) bad("public signals");
  const p = bundle.proof;
  if (!isStrings(p?.pi_a, 3) || !isStrings(p.pi_c, 3) || !Array.isArray(p.pi_b) || p.pi_b.length !== 3)
    bad("proof");
  if (!p.pi_b.every((row) => isStrings(row, 2))) bad("proof");
  for (const [i, s] of bundle.publicSignals.entries()) parseFieldElement(s, `public signal ${i}`);
  // Proof coordinates live in the base field, which is larger than the scalar field: only the form is checked here.
  for (const c of [...p.pi_a, ...p.pi_c, ...p.pi_b.flat()])
    if (!/^(0|[1-9]\d{0,77})$/.test(c)) bad("coordinate");
}

/** The canonical CBOR of a proof bundle: the bytes its hash (AccessReceipt.proofHash) covers. */
export function encodeProofBundle(bundle: ProofBundle): Uint8Array {
  const value: CborValue = {
    system: bundle.system,
    circuit: bundle.circuit,
    verifyingKeyHash: bundle.verifyingKeyHash,
    publicSignals: bundle.publicSignals,
    proof: { pi_a: bundle.proof.pi_a, pi_b: bundle.proof.pi_b, pi_c: bundle.proof.pi_c },
  };
  return encodeCbor(value);
}

/** AccessReceipt.proofHash: SHA-256 tagged "zk.proof" over the canonical bundle. */
export function proofBundleHash(bundle: ProofBundle): Uint8Array {
  return taggedHash("sha256", "zk.proof", encodeProofBundle(bundle));
}
