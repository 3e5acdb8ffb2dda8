import assert from "node:assert/strict";
import { test } from "node:test";
import type { LedgerRepository, ReceiptQuery, StoredReceipt } from "../../src/index.js";
import { ChainBuilder, makeReceipt } from "../fixtures/chain.js";
import type { CurrentStore } from "./context.js";

const AGENCIES = ["tax", "health", "police", "transport"];
const T0 = 1_700_000_000_000;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function byTimeThenId(a: StoredReceipt, b: StoredReceipt): number {
  return a.timeMs - b.timeMs || compareBytes(a.id, b.id);
}

/** 5 blocks × 24 receipts; many share a timestamp so ordering ties are broken by id. */
async function seed(ledger: LedgerRepository): Promise<StoredReceipt[]> {
  const chain = new ChainBuilder();
  const all: StoredReceipt[] = [];
  for (let b = 0; b < 5; b++) {
    const commit = chain.next({
      receipts: (h) =>
        Array.from({ length: 24 }, (_, n) =>
          makeReceipt(h, n, {
            provider: AGENCIES[n % 4] ?? "",
            requester: AGENCIES[(n + 1 + b) % 4] ?? "",
            dataset: `dataset-${n % 3}`,
            grantId: `grant-${(n + b) % 5}`,
            timeMs: T0 + Math.floor((b * 24 + n) / 7) * 1000,
          }),
        ),
    });
    await ledger.commitBlock(commit);
    all.push(...commit.receipts);
  }
  return all;
}

async function collect(
  ledger: LedgerRepository,
  query: Omit<ReceiptQuery, "after">,
): Promise<StoredReceipt[]> {
  const out: StoredReceipt[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await ledger.queryReceipts(after === undefined ? query : { ...query, after });
    assert.ok(page.receipts.length <= query.limit);
    out.push(...page.receipts);
    if (page.next === null) return out;
    assert.equal(page.receipts.length, query.limit, "only the last page may be short");
    after = page.next;
  }
  throw new Error("pagination did not terminate");
}

export function receiptTests(store: CurrentStore): void {
  test("filters and keyset pages return exactly the matching receipts in (time, id) order", async () => {
    const { ledger } = store();
    const all = (await seed(ledger)).sort(byTimeThenId);
    const cases: [Omit<ReceiptQuery, "limit" | "after">, (r: StoredReceipt) => boolean][] = [
      [{}, () => true],
      [{ provider: "tax" }, (r) => r.provider === "tax"],
      [{ requester: "health" }, (r) => r.requester === "health"],
      [{ agency: "police" }, (r) => r.provider === "police" || r.requester === "police"],
      [{ dataset: "dataset-1" }, (r) => r.dataset === "dataset-1"],
      [{ grantId: "grant-3" }, (r) => r.grantId === "grant-3"],
      [{ fromMs: T0 + 3000, toMs: T0 + 9000 }, (r) => r.timeMs >= T0 + 3000 && r.timeMs < T0 + 9000],
      [{ toMs: T0 + 5000 }, (r) => r.timeMs < T0 + 5000],
      [
        { agency: "tax", dataset: "dataset-0", fromMs: T0 + 2000 },
        (r) =>
          (r.provider === "tax" || r.requester === "tax") &&
          r.dataset === "dataset-0" &&
          r.timeMs >= T0 + 2000,
      ],
      [{ provider: "nobody" }, () => false],
    ];
    for (const [filter, match] of cases) {
      const expected = all.filter(match);
      for (const limit of [1, 7, 1000]) {
        const got = await collect(ledger, { ...filter, limit });
        assert.deepEqual(got, expected, `${JSON.stringify(filter)} limit ${limit}`);
      }
    }
  });

  test("the last page has next = null even when it is full", async () => {
    const { ledger } = store();
    const all = await seed(ledger);
    const page = await ledger.queryReceipts({ limit: all.length });
    assert.equal(page.receipts.length, all.length);
    assert.equal(page.next, null);
    const first = await ledger.queryReceipts({ limit: all.length - 1 });
    assert.notEqual(first.next, null);
    const rest = await ledger.queryReceipts({ limit: 5, after: first.next ?? "" });
    assert.equal(rest.receipts.length, 1);
    assert.equal(rest.next, null);
  });

  test("a cursor keeps its position while new receipts arrive", async () => {
    const { ledger } = store();
    const chain = new ChainBuilder();
    const early = chain.next({ receipts: (h) => Array.from({ length: 4 }, (_, n) => makeReceipt(h, n)) });
    await ledger.commitBlock(early);
    const first = await ledger.queryReceipts({ limit: 2 });
    const late = chain.next({ receipts: (h) => [makeReceipt(h, 0)] });
    await ledger.commitBlock(late);
    const rest = await collect(ledger, { limit: 2 }).then((all) => all.slice(2));
    const second = await ledger.queryReceipts({ limit: 10, after: first.next ?? "" });
    assert.deepEqual(second.receipts, rest);
    assert.equal(second.receipts.length, 3);
  });
}
