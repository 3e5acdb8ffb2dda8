import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * circomlib's Poseidon compiled to WebAssembly at first use, in the optimized form circomlib's own template
 * uses (sparse matrices in the partial rounds) and with circomlib's constants read from its circuit file, so
 * the hash is the one the circuits compute. Montgomery arithmetic comes from wasmcurves; each hash crosses into
 * wasm once instead of allocating thousands of bigints. Checked against poseidon-lite by tests.
 */

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped code-builder packages
type Any = any;
const { ModuleBuilder } = require("wasmbuilder") as { ModuleBuilder: new () => Any };
const { buildF1m } = require("wasmcurves") as {
  buildF1m: (module: Any, q: bigint, prefix: string, ip: string) => void;
};

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const ROUNDS_F = 8;
const ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const N8 = 32;
const R = (1n << 256n) % P;

interface Constants {
  C: bigint[];
  S: bigint[];
  /** M and P flattened row-major as circomlib lists them (M[j][i] multiplies input j into output i). */
  M: bigint[];
  P: bigint[];
}

/** circomlib's optimized Poseidon constants for width t, parsed from circuits/poseidon_constants.circom. */
function circomlibConstants(): Map<number, Constants> {
  const file = join(
    dirname(require.resolve("circomlib/package.json")),
    "circuits",
    "poseidon_constants.circom",
  );
  const text = readFileSync(file, "utf8");
  const byWidth = new Map<number, Constants>();
  for (const name of ["C", "S", "M", "P"] as const) {
    const start = text.indexOf(`function POSEIDON_${name}(t)`);
    const end = text.indexOf("function POSEIDON_", start + 10);
    const body = text.slice(start, end < 0 ? undefined : end);
    for (const part of body.split(/t\s*==\s*/).slice(1)) {
      const t = Number(/^\d+/.exec(part)?.[0]);
      const numbers = [...part.matchAll(/0x[0-9a-fA-F]+/g)].map((m) => BigInt(m[0]));
      const entry = byWidth.get(t) ?? { C: [], S: [], M: [], P: [] };
      entry[name] = numbers;
      byWidth.set(t, entry);
    }
  }
  return byWidth;
}

function montgomeryBytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * N8);
  values.forEach((x, i) => {
    let v = (x * R) % P;
    for (let b = 0; b < N8; b++) {
      out[i * N8 + b] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return out;
}

// transposed so that output i reads row i contiguously: T[i][j] = M[j][i]
function transpose(m: readonly bigint[], t: number): bigint[] {
  return Array.from({ length: t * t }, (_, k) => m[(k % t) * t + Math.floor(k / t)] ?? 0n);
}

interface Engine {
  words: BigUint64Array;
  state: number;
  hash: ((...args: never[]) => void)[];
}

function buildEngine(): Engine {
  const constants = circomlibConstants();
  const module = new ModuleBuilder();
  module.setMemory(64);
  buildF1m(module, P, "frm", "frmint");
  const pState = module.alloc(N8 * 17);
  const pAux = module.alloc(N8 * 17);
  const pTmp = module.alloc(N8);
  const pAcc = module.alloc(N8);

  for (let n = 1; n <= 16; n++) {
    const t = n + 1;
    const k = constants.get(t);
    if (k === undefined) throw new Error(`no Poseidon constants for t=${t}`);
    const partial = ROUNDS_P[n - 1] ?? 0;
    const pC = module.alloc(montgomeryBytes(k.C));
    const pS = module.alloc(montgomeryBytes(k.S));
    const pM = module.alloc(montgomeryBytes(transpose(k.M, t)));
    const pP = module.alloc(montgomeryBytes(transpose(k.P, t)));

    const f = module.addFunction(`poseidon${n}`);
    for (const l of ["i", "j", "p", "q", "c", "s"]) f.addLocal(l, "i32");
    const c = f.getCodeBuilder();
    const L = (name: string): Any => c.getLocal(name);
    const set = (name: string, v: Any): Any => c.setLocal(name, v);
    const step = (name: string, by: number): Any => set(name, c.i32_add(L(name), c.i32_const(by)));
    const el = (base: number, idx: Any): Any => c.i32_add(c.i32_const(base), c.i32_mul(idx, c.i32_const(N8)));
    const loop = (counter: string, from: number, to: number, ...body: Any[]): Any[] => [
      set(counter, c.i32_const(from)),
      c.block(
        c.loop(c.br_if(1, c.i32_ge_u(L(counter), c.i32_const(to))), ...body, step(counter, 1), c.br(0)),
      ),
    ];
    const sbox = (ptr: Any): Any[] => [
      c.call("frm_square", ptr, c.i32_const(pTmp)),
      c.call("frm_square", c.i32_const(pTmp), c.i32_const(pTmp)),
      c.call("frm_mul", ptr, c.i32_const(pTmp), ptr),
    ];
    const sboxAll = (): Any[] => loop("i", 0, t, ...sbox(el(pState, L("i"))));
    // state += C[c..c+t), c advances by t
    const ark = (): Any[] => [
      ...loop(
        "i",
        0,
        t,
        set("p", el(pState, L("i"))),
        c.call("frm_add", L("p"), L("c"), L("p")),
        step("c", N8),
      ),
    ];
    // state = T · state with a transposed t×t matrix at `base`
    const mix = (base: number): Any[] => [
      set("q", c.i32_const(base)),
      ...loop(
        "i",
        0,
        t,
        set("p", el(pAux, L("i"))),
        c.call("frmint_zero", L("p")),
        ...loop(
          "j",
          0,
          t,
          c.call("frm_mul", L("q"), el(pState, L("j")), c.i32_const(pTmp)),
          c.call("frm_add", L("p"), c.i32_const(pTmp), L("p")),
          step("q", N8),
        ),
      ),
      ...loop("i", 0, t, c.call("frmint_copy", el(pAux, L("i")), el(pState, L("i")))),
    ];
    const half = ROUNDS_F / 2;
    f.addCode(
      c.call("frmint_zero", c.i32_const(pState)),
      ...loop("i", 1, t, c.call("frm_toMontgomery", el(pState, L("i")), el(pState, L("i")))),
      set("c", c.i32_const(pC)),
      ...ark(),
      // first full rounds: x^5, constants, M (the last of them mixes with P)
      ...Array.from({ length: half }, (_, r) => [
        ...sboxAll(),
        ...ark(),
        ...mix(r === half - 1 ? pP : pM),
      ]).flat(),
      // partial rounds: x^5 on the first element, one constant, then the sparse matrix S_r
      set("s", c.i32_const(pS)),
      ...loop(
        "j",
        0,
        partial,
        ...sbox(c.i32_const(pState)),
        c.call("frm_add", c.i32_const(pState), L("c"), c.i32_const(pState)),
        step("c", N8),
        c.call("frmint_zero", c.i32_const(pAcc)),
        ...loop(
          "i",
          0,
          t,
          c.call(
            "frm_mul",
            el(pState, L("i")),
            c.i32_add(L("s"), c.i32_mul(L("i"), c.i32_const(N8))),
            c.i32_const(pTmp),
          ),
          c.call("frm_add", c.i32_const(pAcc), c.i32_const(pTmp), c.i32_const(pAcc)),
        ),
        ...loop(
          "i",
          1,
          t,
          c.call(
            "frm_mul",
            c.i32_const(pState),
            c.i32_add(L("s"), c.i32_mul(c.i32_add(L("i"), c.i32_const(t - 1)), c.i32_const(N8))),
            c.i32_const(pTmp),
          ),
          set("p", el(pState, L("i"))),
          c.call("frm_add", L("p"), c.i32_const(pTmp), L("p")),
        ),
        c.call("frmint_copy", c.i32_const(pAcc), c.i32_const(pState)),
        step("s", (2 * t - 1) * N8),
      ),
      // last full rounds; the final one keeps only output 0
      ...Array.from({ length: half - 1 }, () => [...sboxAll(), ...ark(), ...mix(pM)]).flat(),
      ...sboxAll(),
      c.call("frmint_zero", c.i32_const(pAcc)),
      ...loop(
        "j",
        0,
        t,
        c.call("frm_mul", el(pM, L("j")), el(pState, L("j")), c.i32_const(pTmp)),
        c.call("frm_add", c.i32_const(pAcc), c.i32_const(pTmp), c.i32_const(pAcc)),
      ),
      c.call("frm_fromMontgomery", c.i32_const(pAcc), c.i32_const(pState)),
    );
    module.exportFunction(`poseidon${n}`);
  }

  const memory = new wasm.Memory({ initial: 64 });
  const instance = new wasm.Instance(new wasm.Module(module.build()), { env: { memory } });
  const hash = Array.from({ length: 17 }, (_, n) => instance.exports[`poseidon${n}`] as () => void);
  return { words: new BigUint64Array(memory.buffer), state: pState / 8, hash };
}

// the ES lib this project compiles against has no WebAssembly declarations; Node has the global
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let engine: Engine | undefined;
const MASK = 0xffffffffffffffffn;

/**
 * Hashes `count` groups of `arity` elements given as little-endian 64-bit words (4 per element) into `out`
 * (4 words per hash), without converting to bigint: the worker-thread path.
 */
export function poseidonWords(arity: number, words: BigUint64Array, out: BigUint64Array): void {
  engine ??= buildEngine();
  const { words: memory, state } = engine;
  const run = engine.hash[arity];
  if (run === undefined || arity === 0) throw new RangeError("Poseidon takes 1..16 inputs");
  const count = out.length / 4;
  for (let i = 0; i < count; i++) {
    memory.set(words.subarray(i * arity * 4, (i + 1) * arity * 4), state + 4);
    run();
    out.set(memory.subarray(state, state + 4), i * 4);
  }
}

/** circomlib Poseidon over 1..16 canonical field elements, computed in WebAssembly. */
export function poseidonWasm(inputs: readonly bigint[]): bigint {
  engine ??= buildEngine();
  const { words, state } = engine;
  const run = engine.hash[inputs.length];
  if (run === undefined || inputs.length === 0) throw new RangeError("Poseidon takes 1..16 inputs");
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i] as bigint;
    const w = state + 4 * (i + 1);
    words[w] = v & MASK;
    words[w + 1] = (v >> 64n) & MASK;
    words[w + 2] = (v >> 128n) & MASK;
    words[w + 3] = v >> 192n;
  }
  run();
  return (
    ((words[state + 3] ?? 0n) << 192n) |
    ((words[state + 2] ?? 0n) << 128n) |
    ((words[state + 1] ?? 0n) << 64n) |
    (words[state] ?? 0n)
  );
}
