/**
 * Typed entry points into snarkjs, ffjavascript and circom_runtime, which ship no type declarations. The modules
 * are loaded by name so that only the few functions used here get a type; everything else stays out of reach.
 */

/** A file for snarkjs: a path, or bytes already in memory (read once, reused for every proof). */
export type SnarkFile = string | { type: "mem"; data: Uint8Array };

export interface Groth16ProofJson {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol?: string;
  curve?: string;
}

/** A Groth16 verification key as snarkjs exports it (decimal strings, projective coordinates). */
export interface VerificationKeyJson {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12?: unknown;
  IC: string[][];
}

export interface SnarkLogger {
  info(msg: string): void;
  debug(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Snarkjs {
  groth16: {
    prove(
      zkey: SnarkFile,
      witness: SnarkFile,
      logger?: SnarkLogger,
    ): Promise<{ proof: Groth16ProofJson; publicSignals: string[] }>;
    verify(
      vk: VerificationKeyJson,
      publicSignals: string[],
      proof: Groth16ProofJson,
      logger?: SnarkLogger,
    ): Promise<boolean>;
  };
  powersOfTau: {
    newAccumulator(curve: Curve, power: number, file: string, logger?: SnarkLogger): Promise<Uint8Array>;
    contribute(
      oldFile: string,
      newFile: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<Uint8Array>;
    preparePhase2(oldFile: string, newFile: string, logger?: SnarkLogger): Promise<void>;
    verify(file: string, logger?: SnarkLogger): Promise<boolean>;
  };
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: SnarkFile, logger?: SnarkLogger): Promise<Uint8Array>;
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<Uint8Array>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: SnarkLogger,
    ): Promise<Uint8Array>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<boolean>;
    exportVerificationKey(zkey: SnarkFile, logger?: SnarkLogger): Promise<VerificationKeyJson>;
  };
  curves: { getCurveFromName(name: string): Promise<Curve> };
  r1cs: {
    info(
      file: string,
      logger?: SnarkLogger,
    ): Promise<{
      nConstraints: number;
      nVars: number;
      nOutputs: number;
      nPubInputs: number;
      nPrvInputs: number;
    }>;
  };
}

/** The parts of an ffjavascript field (elements are Montgomery-form byte arrays) used here. */
export interface Field {
  one: Uint8Array;
  zero: Uint8Array;
  n8: number;
  s: number;
  w: Uint8Array[];
  e(v: bigint | string | number): Uint8Array;
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  sub(a: Uint8Array, b: Uint8Array): Uint8Array;
  mul(a: Uint8Array, b: Uint8Array): Uint8Array;
  inv(a: Uint8Array): Uint8Array;
  exp(a: Uint8Array, e: bigint | number): Uint8Array;
  toObject(a: Uint8Array): bigint;
  fromMontgomery(a: Uint8Array): Uint8Array;
}

/** The scalar field with the batch operations the prover runs on the curve's threads. */
export interface ScalarField extends Field {
  /** Square of the non-residue: the coset shift used when the domain is the field's largest. */
  shift: Uint8Array;
  fft(buff: Uint8Array): Promise<Uint8Array>;
  ifft(buff: Uint8Array): Promise<Uint8Array>;
  /** Multiplies element i by first × inc^i. */
  batchApplyKey(buff: Uint8Array, first: Uint8Array, inc: Uint8Array): Promise<Uint8Array>;
}

export interface Group {
  F: { n8: number };
  oneAffine: Uint8Array;
  zeroAffine: Uint8Array;
  g: Uint8Array;
  /** The point at infinity, Jacobian. */
  zero: Uint8Array;
  double(a: Uint8Array): Uint8Array;
  /** Σ scalar_i × base_i over affine bases; scalars are plain little-endian field elements. Jacobian result. */
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** Point times a Montgomery-form scalar field element. */
  timesFr(a: Uint8Array, s: Uint8Array): Uint8Array;
  toAffine(a: Uint8Array): Uint8Array;
  /** Affine coordinates as bigints (G2: pairs). */
  toObject(a: Uint8Array): (bigint | bigint[])[];
}

export interface ThreadManager {
  concurrency: number;
  /** Set when the curve runs its tasks in the calling thread. */
  singleThread: boolean;
  queueAction(task: unknown[]): Promise<Uint8Array[]>;
}

export interface Curve {
  name: string;
  q: bigint;
  r: bigint;
  Fr: ScalarField;
  G1: Group;
  G2: Group;
  tm: ThreadManager;
  terminate(): Promise<void>;
}

/** A point group with the operations the Groth16 verifier uses (points are Montgomery-form byte arrays). */
export interface PointGroup {
  F: { n8: number };
  fromObject(p: readonly (bigint | readonly bigint[])[]): Uint8Array;
  toJacobian(p: Uint8Array): Uint8Array;
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  neg(a: Uint8Array): Uint8Array;
  /** Scalar as little-endian bytes, any length. */
  timesScalar(a: Uint8Array, s: Uint8Array): Uint8Array;
  /** On the curve (or the point at infinity); says nothing about the subgroup. */
  isValid(a: Uint8Array): boolean;
  isZero(a: Uint8Array): boolean;
}

/** The pairing of an ffjavascript curve, step by step: prepared points, Miller loops, one final exponentiation. */
export interface PairingCurve {
  name: string;
  r: bigint;
  G1: PointGroup;
  G2: PointGroup;
  Gt: {
    one: Uint8Array;
    mul(a: Uint8Array, b: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
  };
  /** Takes a Jacobian point. */
  prepareG1(p: Uint8Array): Uint8Array;
  /** Takes a Jacobian point. */
  prepareG2(q: Uint8Array): Uint8Array;
  millerLoop(preparedP: Uint8Array, preparedQ: Uint8Array): Uint8Array;
  finalExponentiation(f: Uint8Array): Uint8Array;
}

export interface WitnessCalculator {
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
}

// A specifier held in a variable keeps the compiler from asking for declaration files it cannot have.
const load = (name: string): Promise<unknown> => import(name);

/** snarkjs, loaded once per thread. */
export async function loadSnarkjs(): Promise<Snarkjs> {
  return (await load("snarkjs")) as Snarkjs;
}

/**
 * The bn128 (BN254) curve with its thread pool, the very instance snarkjs caches for this thread. Loading snarkjs
 * first matters: one of its dependencies carries its own ffjavascript copy, which clears the cached curve when it
 * is first imported, and a second curve would keep the process alive.
 */
export async function loadCurve(): Promise<Curve> {
  const snarkjs = await loadSnarkjs();
  return snarkjs.curves.getCurveFromName("bn128");
}

/** Whether this thread has the curve snarkjs caches (and, unless threadless, its threads) loaded. */
export function curveLoaded(): boolean {
  return Boolean((globalThis as { curve_bn128?: Curve | null }).curve_bn128);
}

/** Terminates the curve snarkjs has cached for this thread, if any, so its threads let the process exit. */
export async function releaseCurve(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (cached) await cached.terminate();
}

/**
 * A bn128 curve of this thread's own, without worker threads: the verifier's operations are a few milliseconds of
 * synchronous WebAssembly, for which posting work to threads costs more than it saves. Not the instance snarkjs
 * caches, so it neither starts nor needs releasing threads; it is collected with its last reference.
 */
export async function loadPairingCurve(): Promise<PairingCurve> {
  const ff = (await load("ffjavascript")) as { buildBn128(singleThread: boolean): Promise<PairingCurve> };
  return ff.buildBn128(true);
}

/**
 * Puts a curve without threads where snarkjs looks for this thread's cached bn128 curve, so that its proofs run on
 * this thread alone. After loading snarkjs, whose loading clears that cache.
 */
export async function useThreadlessCurve(): Promise<void> {
  await loadSnarkjs();
  (globalThis as { curve_bn128?: PairingCurve | null }).curve_bn128 = await loadPairingCurve();
}

/**
 * Builds a witness calculator from a circom-compiled wasm (compiled once, reused for every witness). The circom
 * runtime prints a failed constraint on the console, with the signal values involved, which may be a dataset's
 * private values: while it computes, this thread's console is muted, and the failure still comes back as the
 * rejection (its message names the template and line). Nothing else in a peer writes to the console.
 */
export async function loadWitnessCalculator(wasm: Uint8Array): Promise<WitnessCalculator> {
  const rt = (await load("circom_runtime")) as {
    WitnessCalculatorBuilder(code: Uint8Array, options?: Record<string, unknown>): Promise<WitnessCalculator>;
  };
  const calculator = await rt.WitnessCalculatorBuilder(wasm);
  return {
    async calculateWTNSBin(input, sanityCheck) {
      const { log, error } = console;
      console.log = console.error = () => {};
      try {
        return await calculator.calculateWTNSBin(input, sanityCheck);
      } finally {
        console.log = log;
        console.error = error;
      }
    },
  };
}
