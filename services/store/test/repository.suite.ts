import { afterEach, beforeEach, describe } from "node:test";
import type { Store } from "../src/index.js";
import { consensusTests } from "./suite/consensus.js";
import type { CurrentStore } from "./suite/context.js";
import { datasetTxTests } from "./suite/dataset-txs.js";
import { gatewayTests } from "./suite/gateway.js";
import { ledgerReadTests } from "./suite/ledger-read.js";
import { ledgerWriteTests } from "./suite/ledger-write.js";
import { localDataTests } from "./suite/local-data.js";
import { receiptTests } from "./suite/receipts.js";

/** Runs the dialect-independent repository tests against stores produced by `openFresh` (empty each time). */
export function runRepositorySuite(label: string, openFresh: () => Promise<Store>): void {
  describe(`store repositories (${label})`, () => {
    let store: Store | undefined;
    const current: CurrentStore = () => {
      if (store === undefined) throw new Error("store not open");
      return store;
    };
    beforeEach(async () => {
      store = await openFresh();
    });
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    describe("ledger writes", () => ledgerWriteTests(current));
    describe("ledger reads", () => ledgerReadTests(current));
    describe("receipt queries", () => receiptTests(current));
    describe("dataset transactions", () => datasetTxTests(current));
    describe("consensus", () => consensusTests(current));
    describe("local data", () => localDataTests(current));
    describe("gateway", () => gatewayTests(current));
  });
}
