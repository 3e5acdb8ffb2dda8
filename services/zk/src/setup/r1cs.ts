import { ZkError } from "../errors.js";
import { readFileRange, readSectionMap } from "./bin-file.js";

export interface R1csInfo {
  constraints: number;
  outputs: number;
  publicInputs: number;
  privateInputs: number;
  /** Smallest phase-1 power that fits: the domain snarkjs gives the circuit (constraints + public + 1). */
  power: number;
}

/** Reads the header of a circom .r1cs file (section 1: n8, prime, wires, outputs, inputs, labels, constraints). */
export async function readR1csInfo(path: string): Promise<R1csInfo> {
  const { magic, sections } = await readSectionMap(path);
  const header = sections.get(1)?.[0];
  if (magic !== "r1cs" || header === undefined) {
    throw new ZkError("ARTIFACT_MISSING", `${path} is not an r1cs file`, { path });
  }
  const b = await readFileRange(path, header.offset, header.size);
  const n8 = b.readUInt32LE(0);
  const at = 4 + n8;
  const outputs = b.readUInt32LE(at + 4);
  const publicInputs = b.readUInt32LE(at + 8);
  const privateInputs = b.readUInt32LE(at + 12);
  const constraints = b.readUInt32LE(at + 24);
  const m = constraints + publicInputs + outputs;
  return { constraints, outputs, publicInputs, privateInputs, power: Math.floor(Math.log2(m)) + 1 };
}
