/**
 * One process of the "machine's own limit" measurement, with no consensus and no network: applies the
 * bench's txs, grouped into blocks as the cluster groups them, on its own chain from the same genesis.
 *
 *   node limit-worker.js MODE GENESIS TXS TXS_PER_BLOCK WARM_BLOCKS [STORE] [--barrier]
 *
 * MODE "store": the pure Ledger with a plain verifier (every signature checked once, in the block) and each
 * block persisted with StoredLedger in STORE, as a validator persists it: a PGlite folder, or a postgres:// URL
 * of an empty database.
 * MODE "apply": the same without the store.
 * MODE "validator": what the peer does per tx without store and network: checkTx in the Mempool (caching
 * verifier), execute the proposed block, apply it, re-check the mempool.
 *
 * Every block carries the previous block's certificate and is committed with its own, signed with the validators'
 * keys from the keystores beside GENESIS (passphrase in COKEN_BENCH_PASSPHRASE), as the validators certify it.
 *
 * The first tx block (the setup txs) and WARM_BLOCKS more are applied before timing. With --barrier the worker
 * prints "ready" and waits for a line on stdin before timing. Prints one JSON line: {txs, seconds, blocks}
 * (the txs and blocks timed).
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { loadKeystore } from "@coken/keystore";
import {
  type Block,
  type CommitCertificate,
  createVerifier,
  decodeTx,
  Ledger,
  parseGenesis,
  signCommit,
} from "@coken/ledger";
import { openStore, StoredLedger } from "@coken/store";
import { createCachingVerifier } from "../src/caching-verifier.js";
import { Mempool } from "../src/mempool.js";
import { unpackTxs } from "./txs.js";

const [mode, genesisFile, txsFile, perBlockArg, warmArg, storeArg] = process.argv.slice(2);
const barrier = process.argv.includes("--barrier");
if (mode !== "store" && mode !== "apply" && mode !== "validator")
  throw new Error(`unknown mode ${String(mode)}`);

const genesis = parseGenesis(JSON.parse(await readFile(genesisFile as string, "utf8")));
const txs = unpackTxs(new Uint8Array(await readFile(txsFile as string)));
const perBlock = Number(perBlockArg);
const warm = Number(warmArg);
// Setup txs (dataset, grant) first, then the access.record txs in blocks of perBlock.
const groups: Uint8Array[][] = [txs.slice(0, 2)];
for (let i = 2; i < txs.length; i += perBlock) groups.push(txs.slice(i, i + perBlock));

// Block times follow the newest receipt, not the wall clock: on a loaded machine a later phase would otherwise
// run past the genesis receipt window (short when soaking) and its txs would be refused as stale.
let newestReceipt = 0;
for (const raw of txs) {
  const { body } = decodeTx(raw);
  if (body.kind !== "access.record") continue;
  for (const batch of body.payload.batches)
    for (const r of batch.receipts) newestReceipt = Math.max(newestReceipt, r.time);
}
const nextTime = (ledger: Ledger) => Math.max(newestReceipt + 1, ledger.head.time + 1);
const proposer = genesis.validators[0]?.agency ?? "";
const passphrase = process.env.COKEN_BENCH_PASSPHRASE ?? "";
const signers = await Promise.all(
  genesis.validators.map(async ({ agency }) => ({
    validator: agency,
    signer: (await loadKeystore(join(dirname(genesisFile as string), `${agency}.key.json`), passphrase))
      .signer,
  })),
);
let lastCommit: CommitCertificate | null = null;
const block = (ledger: Ledger, group: Uint8Array[]): Block =>
  ledger.buildBlock({ txs: group, time: nextTime(ledger), proposer, lastCommit });
/** The next block's certificate, kept as the following block's lastCommit. */
const certify = (ledger: Ledger, b: Block): CommitCertificate => {
  lastCommit = signCommit(ledger.hasher, b, signers, b.header.time);
  return lastCommit;
};

function refused(codes: (string | null)[]): void {
  const code = codes.find((c) => c !== null);
  if (code !== undefined) throw new Error(`bench tx refused: ${code}`);
}

let step: (group: Uint8Array[]) => Promise<void>;
let close = async () => {};
if (mode === "store") {
  const where = storeArg as string;
  const store = await openStore(
    where.startsWith("postgres://") ? { kind: "postgres", url: where } : { kind: "pglite", dataDir: where },
  );
  close = () => store.close();
  const chain = await StoredLedger.open(store, genesis, createVerifier());
  step = async (group) => {
    const b = block(chain.ledger, group);
    const committed = await chain.apply(b, certify(chain.ledger, b));
    refused(committed.outcome.txs.map((t) => t.code));
  };
} else if (mode === "apply") {
  const ledger = Ledger.fromGenesis(genesis, createVerifier());
  step = async (group) => {
    const b = block(ledger, group);
    certify(ledger, b);
    refused(ledger.apply(b).outcome.txs.map((t) => t.code));
  };
} else {
  const verifier = createCachingVerifier(createVerifier());
  const ledger = Ledger.fromGenesis(genesis, verifier);
  const limits = { maxTxs: 1e6, maxBytes: 2 ** 40, maxPerSender: 1e6 };
  const mempool = new Mempool(ledger, verifier, limits, () => newestReceipt + 1);
  step = async (group) => {
    for (const raw of group) {
      const r = mempool.add(raw);
      if (!r.ok) throw new Error(`checkTx refused a bench tx: ${r.reason}`);
    }
    const b = block(ledger, mempool.reap(2 ** 40, group.length));
    certify(ledger, b);
    ledger.execute(b); // the proposal check every validator runs before its prevote
    const committed = ledger.apply(b);
    refused(committed.outcome.txs.map((t) => t.code));
    mempool.update(committed);
  };
}

const timed = groups.slice(1 + warm);
for (const g of groups.slice(0, 1 + warm)) await step(g);
if (barrier) {
  process.stdout.write("ready\n");
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once("line", () => resolve()));
  rl.close();
}
const t0 = process.hrtime.bigint();
for (const g of timed) await step(g);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const timedTxs = timed.reduce((n, g) => n + g.length, 0);
await close();
process.stdout.write(`${JSON.stringify({ txs: timedTxs, seconds, blocks: timed.length })}\n`);
