import { type CborValue, encodeCbor, taggedHash } from "@coken/ledger";
import type { Groth16Proof, ProofBundle } from "../api.js";
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
  checkProofEncoding(p);
}

/** The BN254 base field order: proof coordinates are below it. */
export const BASE_FIELD_ORDER =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/**
 * Requires the one encoding a proof has: affine points (Z = 1, as snarkjs writes them; G2's Z = 1 + 0·u) with
 * every coordinate a canonical decimal below the base field order. `x + q` or a Jacobian (X·Z², Y·Z³, Z) form of
 * the same point is refused, so a proof's bytes, and the receipt's proof hash over them, are unique for the
 * proof (Groth16 re-randomization still makes other proofs of the same statement: they are other proofs).
 * Throws PROOF_INVALID.
 */
export function checkProofEncoding(p: Groth16Proof): void {
  const bad = (why: string): never => {
    throw new ZkError("PROOF_INVALID", `non-canonical proof encoding: ${why}`);
  };
  const coordinate = (c: unknown): void => {
    if (typeof c !== "string" || !/^(0|[1-9]\d{0,77})$/.test(c) || BigInt(c) >= BASE_FIELD_ORDER)
      bad("coordinate");
  };
  const g1 = (pt: unknown, what: string): void => {
    if (!isStrings(pt, 3) || pt[2] !== "1") bad(`${what} is not affine`);
    for (const c of (pt as string[]).slice(0, 2)) coordinate(c);
  };
  g1(p?.pi_a, "A");
  g1(p?.pi_c, "C");
  const b = p?.pi_b;
  if (!Array.isArray(b) || b.length !== 3 || !b.every((row) => isStrings(row, 2))) bad("B");
  if (b[2]?.[0] !== "1" || b[2]?.[1] !== "0") bad("B is not affine");
  for (const c of [...(b[0] ?? []), ...(b[1] ?? [])]) coordinate(c);
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
