import assert from "node:assert/strict";
import { type Store, StoreError, type StoreErrorCode } from "../../src/index.js";

/** The store under test; a fresh, empty one for every test. */
export type CurrentStore = () => Store;

export async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof StoreError, `expected a StoreError, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}
