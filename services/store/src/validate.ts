import { invalidArgument } from "./errors.js";

const INT4_MAX = 2_147_483_647;
export const MAX_PAGE = 1000;

/** A non-negative safe integer stored as int8 (heights, times, sequence numbers). */
export function requireInt8(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${name} must be a non-negative safe integer`, { argument: name });
  }
}

/** A non-negative integer stored as int4 (indexes, rounds, steps). */
export function requireInt4(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > INT4_MAX) {
    throw invalidArgument(`${name} must be an integer in 0..${INT4_MAX}`, { argument: name });
  }
}

export function requireLimit(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE) {
    throw invalidArgument(`limit must be an integer in 1..${MAX_PAGE}`, { argument: "limit" });
  }
}

export function requireBytes(name: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array))
    throw invalidArgument(`${name} must be a Uint8Array`, { argument: name });
}

export function requireText(name: string, value: string): void {
  if (typeof value !== "string" || value.length === 0) {
    throw invalidArgument(`${name} must be a non-empty string`, { argument: name });
  }
}
