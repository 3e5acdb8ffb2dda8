import { spawn } from "node:child_process";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { type CircuitDefinition, type CircuitParams, circuitId, mainSource } from "./circuits.js";
import { ZkError } from "./errors.js";

const require = createRequire(import.meta.url);

/** The repository's `circuits/` directory (templates and their shared library). */
export function circuitsDir(): string {
  return fileURLToPath(new URL("../../../../circuits/", import.meta.url));
}

/** circomlib's `circuits/` directory, put on the include path. */
export function circomlibDir(): string {
  return join(dirname(require.resolve("circomlib/package.json")), "circuits");
}

export interface CompileOptions {
  /** Output directory; created if missing. */
  outDir: string;
  /** Progress lines (compiler output), for `coken zk build`. */
  onProgress?: (line: string) => void;
  /** Extra include directories, after circomlib and the circuits directory. */
  include?: string[];
}

export interface CompiledCircuit {
  /** Circuit instance id; the file stem of every output. */
  id: string;
  mainFile: string;
  r1cs: string;
  wasm: string;
  sym: string;
  /** Constraints reported by the compiler (non-linear + linear after --O2). */
  constraints: number;
}

/** Compiles one circom main file with circom2 (`--r1cs --wasm --sym --O2`); rejects with COMPILE_FAILED. */
export async function compileCircom(mainFile: string, options: CompileOptions): Promise<CompiledCircuit> {
  await mkdir(options.outDir, { recursive: true });
  const id = mainFile.replace(/^.*[\\/]/, "").replace(/\.circom$/, "");
  const includes = [circomlibDir(), circuitsDir(), ...(options.include ?? [])].flatMap((d) => ["-l", d]);
  const args = [mainFile, "--r1cs", "--wasm", "--sym", "--O2", ...includes, "-o", options.outDir];
  const output = await runCircom2(args, options.onProgress);
  const result: CompiledCircuit = {
    id,
    mainFile,
    r1cs: join(options.outDir, `${id}.r1cs`),
    wasm: join(options.outDir, `${id}_js`, `${id}.wasm`),
    sym: join(options.outDir, `${id}.sym`),
    constraints: countConstraints(output),
  };
  for (const file of [result.r1cs, result.wasm, result.sym]) {
    const ok = await stat(file).then(
      (s) => s.size > 0,
      () => false,
    );
    if (!ok) throw new ZkError("COMPILE_FAILED", `circom2 produced no ${file}`, { id, output });
  }
  return result;
}

/** Writes the main file of a registry circuit instance into `outDir` and compiles it. */
export async function compileCircuit(
  def: CircuitDefinition,
  params: CircuitParams,
  options: CompileOptions,
): Promise<CompiledCircuit> {
  const id = circuitId(def.name, params);
  await mkdir(options.outDir, { recursive: true });
  const mainFile = join(options.outDir, `${id}.circom`);
  await writeFile(mainFile, mainSource(def, params));
  options.onProgress?.(`compiling ${id}`);
  return compileCircom(mainFile, options);
}

function countConstraints(output: string): number {
  const grab = (label: string): number =>
    Number(new RegExp(`^\\s*${label}:\\s*(\\d+)`, "m").exec(output)?.[1] ?? 0);
  return grab("non-linear constraints") + grab("linear constraints");
}

function runCircom2(args: string[], onProgress?: (line: string) => void): Promise<string> {
  // circom2 rewrites path arguments relative to its cwd; from the filesystem root they never climb with "..",
  // which its WASI include lookup does not follow.
  const cli = join(dirname(require.resolve("circom2/package.json")), "cli.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: parse(process.cwd()).root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const take = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output += text;
      for (const line of text.split("\n")) {
        const clean = stripVTControlCharacters(line).trim();
        if (clean !== "") onProgress?.(clean);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (err) =>
      reject(new ZkError("COMPILE_FAILED", `circom2 did not start: ${err.message}`)),
    );
    child.on("close", (code) => {
      const clean = stripVTControlCharacters(output);
      if (code === 0 && !/error\[/i.test(clean)) resolve(clean);
      else
        reject(new ZkError("COMPILE_FAILED", `circom2 exited with ${code}`, { output: clean.slice(-4000) }));
    });
  });
}
