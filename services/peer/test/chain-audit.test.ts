import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createVerifier, parseGenesis } from "@coken/ledger";
import { type BlockSource, openStore, type Store, StoredLedger, storeBlockSource } from "@coken/store";
import type { AuditReads } from "../src/api-audit.js";
import {
  type ChainAudit,
  type ChainAuditComponents,
  ChainAuditError,
  type ChainAuditOptions,
  createChainAudit,
  DEFAULT_CHAIN_AUDIT,
} from "../src/chain-audit.js";
import { silentLogger } from "../src/log.js";
import { AGENCIES, commitStored, genesisDoc, T0, transfer } from "./fixtures.js";

const nothingKept: AuditReads = { proof: async () => null, key: async () => null };

/** The peer audits its own stored chain with the auditor, in a worker, within its bounds. */
describe("chain audit of the peer's own store", () => {
  let dir: string;
  let store: Store;
  let chain: StoredLedger;
  const audits: ChainAudit[] = [];

  const auditOf = (o: Partial<ChainAuditOptions> = {}, c: Partial<ChainAuditComponents> = {}) => {
    const audit = createChainAudit({ ...DEFAULT_CHAIN_AUDIT, ...o })({
      agency: "sh.land-registry",
      genesisFile: join(dir, "genesis.json"),
      blocks: storeBlockSource(store),
      kept: nothingKept,
      height: () => chain.ledger.head.height,
      now: Date.now,
      log: silentLogger,
      ...c,
    });
    audits.push(audit);
    return audit;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-chain-audit-test-"));
    const doc = genesisDoc();
    await writeFile(join(dir, "genesis.json"), JSON.stringify(doc));
    store = await openStore({ kind: "pglite" });
    chain = await StoredLedger.open(store, parseGenesis(doc), createVerifier());
    for (let h = 1; h <= 4; h++) {
      const proposer = AGENCIES[h % AGENCIES.length] as string;
      await commitStored(chain, {
        txs: [transfer(chain.ledger, "sh.land-registry", h - 1, 2n)],
        time: T0 + h * 1000,
        proposer,
      });
    }
  });
  after(async () => {
    for (const a of audits) await a.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the chain as coken audit does, and answers the same report while the height stays", async () => {
    const audit = auditOf();
    const [first, shared] = await Promise.all([audit.run(), audit.run()]);
    assert.equal(shared, first, "a caller during a run shares it");
    assert.deepEqual(Object.keys(first).sort(), ["discrepancyCount", "height", "ok", "report"]);
    assert.equal(first.ok, true);
    assert.equal(first.height, 4);
    assert.equal(first.discrepancyCount, 0);
    const report = JSON.parse(first.report);
    assert.equal(report.format, "coken-audit-report/1");
    assert.equal(report.chain, "coken-peer-test");
    assert.deepEqual(report.source.kind, "api");
    assert.equal(report.source.name, "peer sh.land-registry");
    assert.match(report.source.digest, /^[0-9a-f]{64}$/);
    assert.equal(report.stats.blocks, 4);
    assert.equal(report.stats.txs, 4);
    assert.equal(report.verifiedHeight, 4, "the newest block's seen commit is checked");
    assert.equal(await audit.run(), first, "no new block, no new run");
  });

  it("reports what does not check: a source claiming another result for a tx", async () => {
    const real = storeBlockSource(store);
    const lying: BlockSource = {
      genesisBlock: () => real.genesisBlock(),
      blocks: async (from, limit) =>
        (await real.blocks(from, limit)).map((b) =>
          b.height === 3 ? { ...b, txs: b.txs.map((t) => ({ ...t, resultCode: "INSUFFICIENT_FUNDS" })) } : b,
        ),
    };
    const r = await auditOf({}, { blocks: lying }).run();
    assert.equal(r.ok, false);
    const report = JSON.parse(r.report);
    assert.equal(report.discrepancies[0].code, "RESULT_MISMATCH");
    assert.equal(report.discrepancies[0].height, 3);
  });

  it("refuses a chain longer than its block limit, and stops a run past its deadline", async () => {
    await assert.rejects(
      auditOf({ maxBlocks: 3 }).run(),
      (e) => e instanceof ChainAuditError && e.code === "TOO_LONG" && /4 blocks/.test(e.message),
    );
    let clock = 0;
    const late = auditOf({ timeoutMs: 1000 }, { now: () => (clock += 400) });
    await assert.rejects(late.run(), (e) => e instanceof ChainAuditError && e.code === "TIMED_OUT");
  });

  it("refuses to run once closed", async () => {
    const audit = auditOf();
    await audit.close();
    await assert.rejects(audit.run(), (e) => e instanceof ChainAuditError && e.code === "CLOSED");
  });
});
