import { ZkError } from "../errors.js";

/** Order of the BN254 scalar field: every circuit signal and public input is an integer below it. */
export const FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** True when `x` is a canonical field element (0 ≤ x < FIELD_ORDER). */
export function isFieldElement(x: bigint): boolean {
  return x >= 0n && x < FIELD_ORDER;
}

/** Returns `x` when it is a canonical field element; throws PUBLIC_INPUT_RANGE otherwise. */
export function checkFieldElement(x: bigint, what: string): bigint {
  if (!isFieldElement(x)) {
    throw new ZkError("PUBLIC_INPUT_RANGE", `${what} is not a canonical field element`, { what });
  }
  return x;
}

/** Parses a decimal string as a canonical field element (as snarkjs prints signals); throws PUBLIC_INPUT_RANGE. */
export function parseFieldElement(s: string, what: string): bigint {
  if (!/^(0|[1-9]\d{0,77})$/.test(s)) {
    throw new ZkError("PUBLIC_INPUT_RANGE", `${what} is not a decimal field element`, { what });
  }
  return checkFieldElement(BigInt(s), what);
}

/** Big-endian unsigned integer of a byte string. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/** 32 bytes big-endian of a field element (the ledger's commitment `root`). */
export function fieldToBytes32(x: bigint): Uint8Array {
  checkFieldElement(x, "root");
  const out = new Uint8Array(32);
  let v = x;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The field element of a 32-byte big-endian root; throws PUBLIC_INPUT_RANGE if not 32 bytes or not canonical. */
export function bytes32ToField(bytes: Uint8Array, what = "root"): bigint {
  if (bytes.length !== 32) throw new ZkError("PUBLIC_INPUT_RANGE", `${what} must be 32 bytes`, { what });
  return checkFieldElement(bytesToBigint(bytes), what);
}
