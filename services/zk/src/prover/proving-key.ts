import { ZkError } from "../errors.js";

/**
 * A Groth16 proving key (a snarkjs `.zkey` of protocol groth16) parsed once per circuit, in the forms the prover
 * uses on every proof: the header's points, the QAP's A and B matrices as flat coefficient lists, and the five
 * point sections as the multi-exponentiations take them (affine, little-endian Montgomery coordinates).
 */
export interface ProvingKey {
  /** Witness length, the constant 1 included. */
  nVars: number;
  nPublic: number;
  /** Evaluation domain size (a power of two above the constraint count plus the public inputs). */
  domainSize: number;
  power: number;
  /** Scalar field order. */
  r: bigint;
  alpha1: Uint8Array;
  beta1: Uint8Array;
  beta2: Uint8Array;
  delta1: Uint8Array;
  delta2: Uint8Array;
  /** Matrix A's coefficients (constraint row, witness signal, value as stored). */
  a: Coefficients;
  b: Coefficients;
  pointsA: Bases;
  pointsB1: Bases;
  pointsB2: Bases;
  pointsC: Bases;
  /** One point per domain element, all used. */
  pointsH: Uint8Array;
}

/**
 * The non-zero points of a witness section and the witness signal each belongs to. A wire absent from a matrix
 * has the point at infinity there (about a third of B's in these circuits): dropping them shrinks the
 * multi-exponentiation without changing its sum.
 */
export interface Bases {
  points: Uint8Array;
  signals: Uint32Array;
}

/**
 * One QAP matrix. Values are as the key stores them: the coefficient times R² mod r (R = 2^256), so that a
 * Montgomery product with a plain witness value yields the Montgomery form of coefficient × value.
 */
export interface Coefficients {
  row: Uint32Array;
  signal: Uint32Array;
  value: bigint[];
}

const G1_BYTES = 64;
const G2_BYTES = 128;
const FIELD_BYTES = 32;
const GROTH16 = 1;

const bad = (what: string): never => {
  throw new ZkError("ARTIFACT_MISSING", `proving key: ${what}`);
};

/** Little-endian unsigned integer of `bytes` bytes. */
function readBig(view: DataView, at: number, bytes: number): bigint {
  let v = 0n;
  for (let i = bytes - 8; i >= 0; i -= 8) v = (v << 64n) | view.getBigUint64(at + i, true);
  return v;
}

function sections(bytes: Uint8Array): Map<number, { at: number; size: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== "zkey")
    bad("not a zkey file");
  const count = view.getUint32(8, true);
  const out = new Map<number, { at: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos + 12 > bytes.byteLength) bad("truncated section table");
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    if (pos + 12 + size > bytes.byteLength) bad(`section ${id} runs past the end`);
    out.set(id, { at: pos + 12, size });
    pos += 12 + size;
  }
  return out;
}

function readCoefficients(view: DataView, at: number, size: number, domainSize: number, nVars: number) {
  const count = view.getUint32(at, true);
  const entry = 12 + FIELD_BYTES;
  if (size !== 4 + count * entry) bad("coefficient section size");
  const matrices = [0, 1].map(() => ({ row: [] as number[], signal: [] as number[], value: [] as bigint[] }));
  for (let i = 0, p = at + 4; i < count; i++, p += entry) {
    const m = matrices[view.getUint32(p, true)] ?? bad("coefficient of an unknown matrix");
    const row = view.getUint32(p + 4, true);
    const signal = view.getUint32(p + 8, true);
    if (row >= domainSize || signal >= nVars) bad("coefficient out of range");
    m.row.push(row);
    m.signal.push(signal);
    m.value.push(readBig(view, p + 12, FIELD_BYTES));
  }
  return matrices.map((m) => ({
    row: Uint32Array.from(m.row),
    signal: Uint32Array.from(m.signal),
    value: m.value,
  })) as [Coefficients, Coefficients];
}

/** Parses a Groth16 `.zkey` over bn128; throws ZkError ARTIFACT_MISSING on anything else. */
export function parseProvingKey(bytes: Uint8Array): ProvingKey {
  const map = sections(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const section = (id: number, size?: number) => {
    const s = map.get(id) ?? bad(`section ${id} missing`);
    if (size !== undefined && s.size !== size) bad(`section ${id} has ${s.size} bytes, expected ${size}`);
    return s;
  };
  if (view.getUint32(section(1, 4).at, true) !== GROTH16) bad("not a Groth16 key");
  let p = section(2).at;
  const n8q = view.getUint32(p, true);
  p += 4 + n8q;
  const n8r = view.getUint32(p, true);
  if (n8q !== FIELD_BYTES || n8r !== FIELD_BYTES) bad("not a bn128 key");
  const r = readBig(view, p + 4, n8r);
  p += 4 + n8r;
  const nVars = view.getUint32(p, true);
  const nPublic = view.getUint32(p + 4, true);
  const domainSize = view.getUint32(p + 8, true);
  p += 12;
  const power = Math.log2(domainSize);
  if (!Number.isInteger(power) || nPublic + 1 > nVars) bad("header");
  const take = (n: number) => {
    const out = bytes.slice(p, p + n);
    p += n;
    return out;
  };
  const alpha1 = take(G1_BYTES);
  const beta1 = take(G1_BYTES);
  const beta2 = take(G2_BYTES);
  take(G2_BYTES); // γ: verification only
  const delta1 = take(G1_BYTES);
  const delta2 = take(G2_BYTES);
  const coef = section(4);
  const [a, b] = readCoefficients(view, coef.at, coef.size, domainSize, nVars);
  const points = (id: number, count: number, size: number) => {
    const s = section(id, count * size);
    return bytes.slice(s.at, s.at + s.size);
  };
  const bases = (id: number, first: number, size: number): Bases => {
    const all = points(id, nVars - first, size);
    const signals: number[] = [];
    for (let i = 0; i < nVars - first; i++)
      if (all.subarray(i * size, (i + 1) * size).some((b) => b !== 0)) signals.push(first + i);
    const out = new Uint8Array(signals.length * size);
    signals.forEach(
      (signal, k) =>
        void out.set(all.subarray((signal - first) * size, (signal - first + 1) * size), k * size),
    );
    return { points: out, signals: Uint32Array.from(signals) };
  };
  return {
    nVars,
    nPublic,
    domainSize,
    power,
    r,
    alpha1,
    beta1,
    beta2,
    delta1,
    delta2,
    a,
    b,
    pointsA: bases(5, 0, G1_BYTES),
    pointsB1: bases(6, 0, G1_BYTES),
    pointsB2: bases(7, 0, G2_BYTES),
    pointsC: bases(8, nPublic + 1, G1_BYTES),
    pointsH: points(9, domainSize, G1_BYTES),
  };
}
