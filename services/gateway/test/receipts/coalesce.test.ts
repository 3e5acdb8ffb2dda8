import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coalesce } from "../../src/receipts/coalesce.js";

describe("group commit", () => {
  it("items pushed together share one write; items pushed during a write go in the next one", async () => {
    const writes: number[][] = [];
    let release: () => void = () => {};
    const write = coalesce<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [write(1), write(2), write(3)];
    await new Promise((r) => setImmediate(r));
    const second = [write(4), write(5)];
    release();
    await Promise.all([...first, ...second]);
    assert.deepEqual(writes, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("a failed write fails exactly its own group", async () => {
    let calls = 0;
    const write = coalesce<number>(async () => {
      calls++;
      if (calls === 1) throw new Error("disk full");
    });
    const failed = await Promise.allSettled([write(1), write(2)]);
    assert.deepEqual(
      failed.map((r) => r.status),
      ["rejected", "rejected"],
    );
    await write(3);
    assert.equal(calls, 2);
  });

  it("a lone item goes out at the end of its tick, without waiting for a timer", async () => {
    const writes: number[][] = [];
    const write = coalesce<number>(async (items) => {
      writes.push(items);
    });
    const written = write(1);
    await Promise.resolve();
    assert.deepEqual(writes, [[1]], "written before any timer or I/O turn");
    await written;
  });

  it("with a linger, items wait for company until the timer or an explicit flush", async () => {
    const writes: number[][] = [];
    const write = coalesce<number>(
      async (items) => {
        writes.push(items);
      },
      { lingerMs: 60_000 },
    );
    const first = [write(1), write(2)];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes, [], "still lingering");
    write.flush();
    await Promise.all(first);
    assert.deepEqual(writes, [[1, 2]]);
  });

  it("a full group goes out at once, lingering or not", async () => {
    const writes: number[][] = [];
    const write = coalesce<number>(
      async (items) => {
        writes.push(items);
      },
      { lingerMs: 60_000, maxGroup: 2 },
    );
    await Promise.all([write(1), write(2)]);
    assert.deepEqual(writes, [[1, 2]]);
  });
});
