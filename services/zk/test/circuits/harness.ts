import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error snarkjs ships no type declarations
import * as snarkjs from "snarkjs";
import { CIRCUITS, type CircuitName, type CircuitParams, circuitId, mainSource } from "../../src/circuits.js";
import { type CompiledCircuit, circuitsDir, compileCircuit } from "../../src/compile.js";
import { loadWitnessCalculator, type WitnessCalculator } from "../../src/setup/snark.js";
import type { CircuitInput } from "../../src/statements/index.js";

const silent = { info() {}, warn() {}, debug() {}, error() {} };

async function sourcesHash(): Promise<string> {
  const h = createHash("sha256");
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith(".circom")) h.update(entry.name).update(await readFile(path));
    }
  };
  await walk(circuitsDir());
  return h.digest("hex").slice(0, 16);
}

/** Compiles a circuit instance once per source version (cached under the OS temp dir, keyed by content). */
export async function compiled(name: CircuitName, params: CircuitParams): Promise<CompiledCircuit> {
  const def = CIRCUITS[name];
  const key = createHash("sha256")
    .update(await sourcesHash())
    .update(mainSource(def, params))
    .digest("hex")
    .slice(0, 16);
  const outDir = join(tmpdir(), "coken-zk-test-circuits", `${circuitId(name, params)}-${key}`);
  const marker = join(outDir, "compiled.json");
  try {
    return JSON.parse(await readFile(marker, "utf8")) as CompiledCircuit;
  } catch {
    const result = await compileCircuit(def, params, { outDir });
    await writeFile(marker, JSON.stringify(result));
    return result;
  }
}

let scratch: string | undefined;
let counter = 0;
async function scratchFile(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), "coken-zk-wtns-"));
  counter += 1;
  return join(scratch, `w${counter}.wtns`);
}

const calculators = new Map<string, Promise<WitnessCalculator>>();

/**
 * Computes a witness; resolves its file, or rejects when a constraint of the circuit fails. In memory, with the
 * peer's own (muted) calculator: an expected failure prints nothing and leaves no file open.
 */
export async function witness(circuit: CompiledCircuit, input: CircuitInput): Promise<string> {
  let calculator = calculators.get(circuit.wasm);
  if (calculator === undefined) {
    calculator = readFile(circuit.wasm).then((wasm) => loadWitnessCalculator(wasm));
    calculators.set(circuit.wasm, calculator);
  }
  const bin = await (await calculator).calculateWTNSBin(input as Record<string, unknown>, true);
  const file = await scratchFile();
  await writeFile(file, bin);
  return file;
}

/** Whether a witness file satisfies every constraint of the circuit's r1cs. */
export async function satisfies(circuit: CompiledCircuit, wtnsFile: string): Promise<boolean> {
  return (await snarkjs.wtns.check(circuit.r1cs, wtnsFile, silent)) === true;
}

// wtns file: "wtns", version, section count; section 1 holds n8, the prime and the count; section 2 the values.
async function witnessLayout(
  file: string,
): Promise<{ bytes: Buffer; n8: number; values: number; count: number }> {
  const bytes = await readFile(file);
  let at = 12;
  let n8 = 32;
  let values = -1;
  let count = 0;
  while (at < bytes.length) {
    const type = bytes.readUInt32LE(at);
    const size = Number(bytes.readBigUInt64LE(at + 4));
    if (type === 1) {
      n8 = bytes.readUInt32LE(at + 12);
      count = bytes.readUInt32LE(at + 12 + 4 + n8);
    }
    if (type === 2) values = at + 12;
    at += 12 + size;
  }
  return { bytes, n8, values, count };
}

/** Reads witness values 1..n (the public signals: outputs then public inputs). */
export async function publicPart(file: string, n: number): Promise<string[]> {
  const { bytes, n8, values } = await witnessLayout(file);
  return Array.from({ length: n }, (_, i) => {
    const at = values + (i + 1) * n8;
    let x = 0n;
    for (let b = n8 - 1; b >= 0; b--) x = (x << 8n) | BigInt(bytes[at + b] ?? 0);
    return x.toString();
  });
}

/** Writes a copy of a witness with one value replaced: a prover lying about that signal. */
export async function tamper(file: string, index: number, value: bigint): Promise<string> {
  const { bytes, n8, values } = await witnessLayout(file);
  const copy = Buffer.from(bytes);
  let v = value;
  for (let b = 0; b < n8; b++) {
    copy[values + index * n8 + b] = Number(v & 0xffn);
    v >>= 8n;
  }
  const out = await scratchFile();
  await writeFile(out, copy);
  return out;
}

/** Ends snarkjs's curve worker threads so the test process can exit. */
export async function shutdown(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  await g.curve_bn128?.terminate();
  g.curve_bn128 = undefined;
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** Asserts that witness generation fails on a constraint (not on a malformed input). */
export async function violates(circuit: CompiledCircuit, input: CircuitInput, what?: string): Promise<void> {
  await assert.rejects(witness(circuit, input), /Assert Failed|Error in template/, what);
}
