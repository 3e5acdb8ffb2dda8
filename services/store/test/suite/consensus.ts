import assert from "node:assert/strict";
import { test } from "node:test";
import type { SignState } from "../../src/index.js";
import { utf8 } from "../fixtures/chain.js";
import { type CurrentStore, rejectsWith } from "./context.js";

const state = (height: number, round: number, step: number, bytes: string | null = null): SignState => ({
  height,
  round,
  step,
  signBytes: bytes === null ? null : utf8(bytes),
});

const compare = (a: SignState, b: SignState): number =>
  a.height - b.height || a.round - b.round || a.step - b.step;

export function consensusTests(store: CurrentStore): void {
  test("WAL entries are appended with increasing seq, read per height and pruned below a height", async () => {
    const { consensus } = store();
    const seqs: number[] = [];
    for (const [height, round, kind] of [
      [5, 0, "proposal"],
      [5, 0, "prevote"],
      [6, 0, "proposal"],
      [5, 1, "timeout"],
      [7, 2, "precommit"],
    ] as const) {
      seqs.push(
        await consensus.appendWal({ height, round, kind, payload: utf8(`${height}.${round}.${kind}`) }),
      );
    }
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
    const five = await consensus.readWal(5);
    assert.deepEqual(
      five.map((e) => [e.seq, e.round, e.kind]),
      [
        [seqs[0], 0, "proposal"],
        [seqs[1], 0, "prevote"],
        [seqs[3], 1, "timeout"],
      ],
    );
    assert.deepEqual(five[2]?.payload, utf8("5.1.timeout"));
    assert.equal(await consensus.pruneWalBelow(7), 4);
    assert.deepEqual(await consensus.readWal(5), []);
    assert.deepEqual(await consensus.readWal(6), []);
    assert.equal((await consensus.readWal(7)).length, 1);
    assert.equal(await consensus.pruneWalBelow(7), 0);
    await rejectsWith(
      consensus.appendWal({ height: -1, round: 0, kind: "x", payload: utf8("") }),
      "INVALID_ARGUMENT",
    );
    await rejectsWith(
      consensus.appendWal({ height: 1, round: 2 ** 31, kind: "x", payload: utf8("") }),
      "INVALID_ARGUMENT",
    );
    await rejectsWith(consensus.readWal(0.5), "INVALID_ARGUMENT");
  });

  test("a WAL batch is appended in order, all or nothing", async () => {
    const { consensus } = store();
    const records = ["start", "proposal", "prevote"].map((kind) => ({
      height: 9,
      round: 0,
      kind,
      payload: utf8(`9.${kind}`),
    }));
    const seqs = await consensus.appendWalBatch(records);
    assert.equal(seqs.length, 3);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    const nine = await consensus.readWal(9);
    assert.deepEqual(
      nine.map((e) => [e.seq, e.kind]),
      records.map((r, i) => [seqs[i], r.kind]),
    );
    assert.deepEqual(await consensus.appendWalBatch([]), []);
    await rejectsWith(
      consensus.appendWalBatch([
        { height: 10, round: 0, kind: "start", payload: utf8("ok") },
        { height: 10, round: -1, kind: "vote", payload: utf8("bad") },
      ]),
      "INVALID_ARGUMENT",
    );
    assert.deepEqual(await consensus.readWal(10), []);
  });

  test("sign state only moves forward", async () => {
    const { consensus } = store();
    assert.equal(await consensus.getSignState(), null);
    await consensus.setSignState(state(3, 0, 1, "prevote 3/0"));
    await consensus.setSignState(state(3, 0, 1, "prevote 3/0"));
    await consensus.setSignState(state(3, 0, 2));
    await consensus.setSignState(state(3, 0, 2, "precommit 3/0"));
    await consensus.setSignState(state(3, 1, 0, "proposal 3/1"));
    await consensus.setSignState(state(4, 0, 0));
    assert.deepEqual(await consensus.getSignState(), state(4, 0, 0));

    await consensus.setSignState(state(4, 0, 1, "prevote A"));
    for (const stale of [state(3, 9, 9), state(4, 0, 0), state(4, 0, 1, "prevote B"), state(4, 0, 1)]) {
      const error = await rejectsWith(consensus.setSignState(stale), "SIGN_REGRESSION");
      assert.equal(error.detail.lastStep, 1);
    }
    assert.deepEqual(await consensus.getSignState(), state(4, 0, 1, "prevote A"));
    await rejectsWith(consensus.setSignState(state(4, -1, 0)), "INVALID_ARGUMENT");
    await rejectsWith(consensus.setSignState(state(4.5, 0, 0)), "INVALID_ARGUMENT");
  });

  test("concurrent sign-state updates never leave the state behind the highest accepted one", async () => {
    const { consensus } = store();
    const steps = Array.from({ length: 30 }, (_, i) => state(10 + (i % 5), i % 3, i % 4));
    const results = await Promise.allSettled(steps.map((s) => consensus.setSignState(s)));
    const accepted = steps.filter((_, i) => results[i]?.status === "fulfilled");
    for (const r of results) {
      if (r.status === "rejected") assert.equal(r.reason.code, "SIGN_REGRESSION");
    }
    const highest = accepted.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
    assert.deepEqual(await consensus.getSignState(), highest);
  });
}
