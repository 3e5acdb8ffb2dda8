import { fromHex, toHex } from "@coken/ledger";
import type { ProofBundle } from "@coken/zk";
import { GatewayError } from "../errors.js";

/** A proof bundle as JSON (the verifying key hash in hex), as it travels in an answer. */
export interface ProofJson {
  system: "groth16";
  circuit: string;
  verifyingKeyHash: string;
  publicSignals: string[];
  proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
}

/** JSON form of a proof bundle. */
export function proofToJson(p: ProofBundle): ProofJson {
  return {
    system: p.system,
    circuit: p.circuit,
    verifyingKeyHash: toHex(p.verifyingKeyHash),
    publicSignals: p.publicSignals,
    proof: p.proof,
  };
}

const strings = (v: unknown, max: number): v is string[] =>
  Array.isArray(v) && v.length <= max && v.every((s) => typeof s === "string" && s.length <= 100);

/** Parses a proof bundle from an answer; PROOF_INVALID for anything malformed. */
export function proofFromJson(v: unknown): ProofBundle {
  const bad = () => new GatewayError("PROOF_INVALID", "malformed proof bundle");
  if (typeof v !== "object" || v === null) throw bad();
  const o = v as Record<string, unknown>;
  const proof = o.proof as Record<string, unknown> | null | undefined;
  const vk = typeof o.verifyingKeyHash === "string" ? fromHex(o.verifyingKeyHash) : undefined;
  if (
    o.system !== "groth16" ||
    typeof o.circuit !== "string" ||
    vk === undefined ||
    vk.length !== 32 ||
    !strings(o.publicSignals, 256) ||
    typeof proof !== "object" ||
    proof === null ||
    !strings(proof.pi_a, 4) ||
    !strings(proof.pi_c, 4) ||
    !Array.isArray(proof.pi_b) ||
    proof.pi_b.length > 4 ||
    !proof.pi_b.every((row) => strings(row, 4))
  )
    throw bad();
  return {
    system: "groth16",
    circuit: o.circuit,
    verifyingKeyHash: vk,
    publicSignals: o.publicSignals,
    proof: { pi_a: proof.pi_a, pi_b: proof.pi_b as string[][], pi_c: proof.pi_c },
  };
}
