import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type BlockPart,
  decodeBlockPart,
  decodeProposalHeader,
  decodeVote,
  encodeBlockPart,
  encodeProposalHeader,
  MAX_BLOCK_PART_MESSAGE_BYTES,
  type ProposalHeader,
  proposalMessages,
  proposerSchedule,
  signProposal,
} from "@coken/consensus";
import {
  bytesEqual,
  createHasher,
  createVerifier,
  Ledger,
  parseGenesis,
  type TxBody,
  toHex,
} from "@coken/ledger";
import type { DriverOptions } from "../src/driver.js";
import { AGENCIES, genesisDoc, newLedger, signerOf } from "./fixtures.js";
import {
  bootValidator,
  emptyStore,
  type Incarnation,
  InProcHub,
  makeStores,
  type Published,
  shutdown,
  type TestStore,
  waitUntil,
} from "./inproc.js";

/*
 * Proposals gossiped in parts, end to end: validator drivers over the in-process hub, each with its own in-memory
 * store. A block of more than 1 MiB travels as a header and 64 KiB parts and is committed; parts out of order,
 * duplicated or tampered with are sorted out, and a validator votes for the block once its last part is in.
 */

const genesis = parseGenesis(genesisDoc());
const hasher = createHasher(genesis.hashAlgorithm);
const schedule = proposerSchedule(genesis.validators);
const BOUND_MS = 20_000;
const DRIVER: DriverOptions = {
  // A long propose timeout: a prevote for nil before it means the parts were not assembled. Re-gossip brings a
  // proposal made while the others were still starting.
  timeouts: {
    proposeMs: 15_000,
    proposeDeltaMs: 0,
    prevoteMs: 200,
    prevoteDeltaMs: 100,
    precommitMs: 200,
    precommitDeltaMs: 100,
  },
  commitDelayMs: 10,
  regossipMs: 300,
  maxBlockTxs: 200,
  maxBlockBytes: 4 << 20,
};

/** A dataset.publish tx of about 33 KB (256 long field names, a long description and tags) from the land registry. */
function bigTx(seq: number): Uint8Array {
  const ledger = newLedger();
  const sender = "sh.land-registry";
  const payload = {
    id: `sh/big-${seq}`,
    title: "Property parcels",
    description: "d".repeat(4096),
    fields: Array.from({ length: 256 }, (_, i) => ({
      name: `f${String(i).padStart(3, "0")}${"_".repeat(60)}`,
      type: "string",
      indexed: false,
      personal: false,
    })),
    region: "CN",
    tags: Array.from({ length: 32 }, (_, i) => `${i}${"t".repeat(62)}`),
    updateFrequency: "daily",
    licence: "gov-internal-1.0",
    queryKinds: ["count"],
    price: 1n,
    commitment: null,
  };
  const body = { chain: ledger.head.chain, kind: "dataset.publish", sender, seq, payload };
  return ledger.signTx(signerOf(sender), body as unknown as TxBody);
}

function headersIn(published: readonly Published[], from?: string): ProposalHeader[] {
  return published
    .filter((p) => p.topic === "proposals" && (from === undefined || p.from === from))
    .map((p) => decodeProposalHeader(p.data));
}

/** Index in `published` of `agency`'s prevote at (height, round), and the block hash it names (null: nil). */
function prevoteOf(published: readonly Published[], agency: string, height: number, round: number) {
  for (const [i, p] of published.entries()) {
    if (p.from !== agency || p.topic !== "votes") continue;
    const v = decodeVote(p.data);
    if (v.type === "prevote" && v.height === height && v.round === round) return { at: i, hash: v.blockHash };
  }
  return null;
}

async function committedHash(stores: readonly TestStore[], height: number): Promise<string[]> {
  const blocks = await Promise.all(stores.map((t) => t.store.ledger.getBlock(height)));
  return blocks.map((b) => (b === null ? "missing" : toHex(b.hash)));
}

describe("proposals gossiped in parts", () => {
  let stores: TestStore[] = [];
  before(async () => {
    stores = await makeStores(4);
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.store.close()));
  });

  async function boot(hub: InProcHub, agencies: readonly string[]): Promise<Incarnation[]> {
    const nodes: Incarnation[] = [];
    for (const [i, agency] of agencies.entries()) {
      const test = stores[i] as TestStore;
      await emptyStore(test);
      nodes.push(
        await bootValidator({
          agency,
          identity: { agency, signer: signerOf(agency) },
          store: test.store,
          hub,
          genesis,
          driver: DRIVER,
          countHeight: 1,
        }),
      );
    }
    return nodes;
  }

  it("a block of more than 1 MiB is proposed in parts and committed; no gossip message is over one part", async () => {
    const hub = new InProcHub();
    const nodes = await boot(hub, AGENCIES);
    try {
      const client = hub.connect("client");
      for (let seq = 0; seq < 40; seq++) await client.publish("txs", bigTx(seq));
      const big = () => headersIn(hub.published).filter((h) => h.parts.total > 16);
      await waitUntil(
        "a proposal of more than 16 parts",
        () => big().length > 0,
        () => `heights ${nodes.map((n) => n.chain.ledger.head.height).join(" ")}`,
        BOUND_MS,
      );
      const height = (big()[0] as ProposalHeader).height;
      await waitUntil(
        `every node to commit height ${height}`,
        async () => (await committedHash(stores, height)).every((h) => h !== "missing"),
        () => `heights ${nodes.map((n) => n.chain.ledger.head.height).join(" ")}`,
        BOUND_MS,
      );
      // The block committed is the big one (proposed in whichever round decided it).
      const committed = await committedHash(stores, height);
      assert.ok(committed.every((h) => h === committed[0]));
      const header = big().find((h) => h.height === height && toHex(h.blockHash) === committed[0]);
      assert.ok(header !== undefined, "the committed block is one of more than 16 parts");
      const { round, proposer } = header;
      // Every part of it was gossiped separately, and no message of any kind is larger than one part message.
      const parts = hub.published
        .filter((p) => p.topic === "parts" && p.from === proposer)
        .map((p) => decodeBlockPart(p.data))
        .filter((p) => p.height === height && p.round === round);
      const byIndex = new Map(parts.map((p) => [p.index, p.bytes.length]));
      assert.equal(byIndex.size, header.parts.total);
      const blockBytes = [...byIndex.values()].reduce((n, b) => n + b, 0);
      assert.ok(blockBytes > 1 << 20, `the block is ${blockBytes} bytes`);
      const largest = hub.published.reduce((n, p) => Math.max(n, p.data.length), 0);
      assert.ok(largest <= MAX_BLOCK_PART_MESSAGE_BYTES, `largest gossip message ${largest} bytes`);
      for (const agency of AGENCIES.filter((a) => a !== proposer)) {
        const prevote = prevoteOf(hub.published, agency, height, round);
        assert.ok(
          prevote?.hash && bytesEqual(prevote.hash, header.blockHash),
          `${agency} prevoted the block`,
        );
      }
      assert.deepEqual(hub.invalid, []);
      assert.deepEqual(hub.handlerErrors, []);
    } finally {
      await Promise.all(nodes.map(shutdown));
      hub.close();
    }
  });

  it("parts out of order, repeated and tampered with: the validators vote once the last genuine part is in", async () => {
    // The proposer of height 1, round 0 is played by the test; the other three hold more than 2/3 of the power.
    const proposer = schedule.proposer(1, 0);
    const others = AGENCIES.filter((a) => a !== proposer);
    const hub = new InProcHub();
    const nodes = await boot(hub, others);
    const mallory = hub.connect(proposer);
    try {
      const block = Ledger.fromGenesis(genesis, createVerifier()).buildBlock({
        txs: Array.from({ length: 8 }, (_, seq) => bigTx(seq)),
        time: Date.now(),
        proposer,
        lastCommit: null,
      });
      const proposal = signProposal(hasher, signerOf(proposer), genesis.chainId, {
        height: 1,
        round: 0,
        polRound: -1,
        block,
        proposer,
      });
      const { header, parts } = proposalMessages(hasher, proposal);
      assert.ok(parts.length >= 4, `${parts.length} parts`);
      const part = (i: number) => parts[i] as BlockPart;
      const send = (p: BlockPart) => mallory.publish("parts", encodeBlockPart(p));
      const last = parts.length - 1;
      const tampered = { ...part(0), bytes: part(0).bytes.map((b, i) => (i === 9 ? b ^ 1 : b)) };

      // Two parts before the header (one twice), then the header, a tampered part, the genuine one twice and every
      // other part but part 1.
      await send(part(last));
      await send(part(2));
      await send(part(2));
      await mallory.publish("proposals", encodeProposalHeader(header));
      await send(tampered);
      await send(part(0));
      await send(part(0));
      for (let i = 3; i < last; i++) await send(part(i));
      await waitUntil(
        "the tampered part to be reported by every validator",
        () => hub.invalid.length >= others.length,
        () => JSON.stringify(hub.invalid),
        BOUND_MS,
      );
      await new Promise((r) => setTimeout(r, 100));
      for (const agency of others)
        assert.equal(prevoteOf(hub.published, agency, 1, 0), null, `${agency} waits for the last part`);

      await send(part(1));
      await waitUntil(
        "every validator to prevote the block",
        () => others.every((a) => prevoteOf(hub.published, a, 1, 0) !== null),
        () => `published ${hub.published.length}`,
        BOUND_MS,
      );
      for (const agency of others) {
        const prevote = prevoteOf(hub.published, agency, 1, 0);
        assert.ok(
          prevote?.hash && bytesEqual(prevote.hash, header.blockHash),
          `${agency} prevoted the block`,
        );
      }
      const stored = stores.slice(0, others.length);
      await waitUntil(
        "the three validators to commit height 1",
        async () => (await committedHash(stored, 1)).every((h) => h !== "missing"),
        () => `heights ${nodes.map((n) => n.chain.ledger.head.height).join(" ")}`,
        BOUND_MS,
      );
      assert.deepEqual(await committedHash(stored, 1), Array(3).fill(toHex(header.blockHash)));
      assert.deepEqual(
        hub.invalid.map((r) => `${r.peer}:${r.reason}`),
        Array(3).fill(`${proposer}:invalid-block-part`),
      );
      assert.deepEqual(hub.handlerErrors, []);
    } finally {
      await Promise.all(nodes.map(shutdown));
      mallory.close();
      hub.close();
    }
  });
});
