import { createHash } from "node:crypto";
import {
  type AccessReceipt,
  type BlockContext,
  type CommitCertificate,
  createVerifier,
  derivedId,
  type EpochState,
  ed25519Signer,
  encodeTx,
  Ledger,
  parseGenesis,
  type Signer,
  type StateOverlay,
  settleEpoch,
  signCommit,
  signReceiptBatch,
  signTx,
  toHex,
} from "../src/index.js";
import { machine, writeSection } from "./report.js";

/**
 * Epoch settlement at scale: 100 agencies, each providing one dataset to each of the others, 1 M receipts in one
 * epoch (100 blocks of 10 000), then the boundary block. Run alone: `node services/ledger/dist/bench/credits.js`.
 */

const AGENCIES = Number(process.env.BENCH_AGENCIES ?? 100);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 100);
const PER_TX = Number(process.env.BENCH_RECEIPTS_PER_TX ?? 100);
const T0 = Date.UTC(2026, 0, 1);
const CHAIR = "chair";
const ids = Array.from({ length: AGENCIES }, (_, i) => `a${String(i).padStart(3, "0")}.gov`);
const seed = (name: string) => new Uint8Array(createHash("sha256").update(`bench:${name}`).digest());
const signers = new Map<string, Signer>([CHAIR, ...ids].map((id) => [id, ed25519Signer(seed(id))]));
const signer = (id: string) => signers.get(id) as Signer;
const SETUP_BLOCKS = 2;
// The boundary is the block after the receipt blocks; it carries receipts too, like the blocks before it.
const EPOCH_LENGTH = SETUP_BLOCKS + BLOCKS + 1;

let settleSecs = 0;
const timedSettlement = {
  settle(state: StateOverlay, epoch: EpochState, block: BlockContext) {
    const t = process.hrtime.bigint();
    settleEpoch(state, epoch, block);
    settleSecs = Number(process.hrtime.bigint() - t) / 1e9;
  },
};

const genesis = parseGenesis({
  chainId: "coken-bench",
  genesisTime: new Date(T0).toISOString(),
  params: { maxReceiptsPerTx: 1_000_000, epochLength: EPOCH_LENGTH, mintPerEpoch: 1_000_000_000 },
  agencies: [CHAIR, ...ids].map((id) => ({
    id,
    name: id,
    region: id === CHAIR ? "CN" : `R${Number(id.slice(1, 4)) % 10}`,
    publicKey: toHex(signer(id).publicKey),
    roles: id === CHAIR ? ["validator", "regulator"] : ["member"],
    balance: id === CHAIR ? "0" : "1000000000000",
  })),
  validators: [{ agency: CHAIR, power: 1 }],
});
const ledger = Ledger.fromGenesis(genesis, createVerifier(), timedSettlement);
const seqs = new Map<string, number>();
let time = T0;
let lastCommit: CommitCertificate | null = null;

function tx(sender: string, kind: string, payload: unknown): Uint8Array {
  const seq = seqs.get(sender) ?? 0;
  seqs.set(sender, seq + 1);
  const body = { chain: genesis.chainId, kind, sender, seq, payload } as never;
  return encodeTx(signTx(ledger.hasher, signer(sender), body));
}

/** Applies one block; returns the seconds `apply` took (execution, state commit and app hash). */
function commit(txs: Uint8Array[]): number {
  time += 1000;
  const block = ledger.buildBlock({ txs, time, proposer: CHAIR, lastCommit });
  lastCommit = signCommit(ledger.hasher, block, [{ validator: CHAIR, signer: signer(CHAIR) }], time);
  const t = process.hrtime.bigint();
  const out = ledger.apply(block).outcome.txs;
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  const refused = out.find((o) => o.code !== null);
  if (refused) throw new Error(`bench tx refused: ${refused.code}`);
  return secs;
}

const digest = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());
const grants = new Map<string, string>();

function setup(): void {
  commit(
    ids.map((p) =>
      tx(p, "dataset.publish", {
        id: `${p}/data`,
        title: "Register",
        description: "",
        fields: [{ name: "key", type: "string", indexed: true, personal: false }],
        region: "CN",
        tags: [],
        updateFrequency: "daily",
        licence: "gov",
        queryKinds: ["count"],
        price: 10n,
        commitment: {
          scheme: "poseidon-bn254-v1",
          root: digest(p),
          rowCount: 1000,
          indexedFields: ["key"],
          verifyingKeys: [{ queryKind: "count", hash: digest(`vk${p}`) }],
        },
      }),
    ),
  );
  const txs: Uint8Array[] = [];
  for (const p of ids) {
    for (const c of ids) {
      if (c === p) continue;
      const seq = seqs.get(p) ?? 0;
      txs.push(
        tx(p, "grant.issue", {
          dataset: `${p}/data`,
          grantee: c,
          queryKinds: ["count"],
          fields: [],
          purpose: "bench",
          quota: 1_000_000,
          expiresAt: T0 + 365 * 86_400_000,
        }),
      );
      grants.set(`${p}>${c}`, derivedId(ledger.hasher, "grant", p, seq));
    }
  }
  commit(txs);
}

let nonce = 0;
/** One block: every provider records `PER_TX` receipts of one consumer, rotating consumers block by block. */
function receiptBlock(b: number): Uint8Array[] {
  return ids.map((p, pi) => {
    const c = ids[(pi + 1 + (b % (AGENCIES - 1))) % AGENCIES] as string;
    const grant = grants.get(`${p}>${c}`) as string;
    const receipts: AccessReceipt[] = Array.from({ length: PER_TX }, () => {
      const n = nonce++;
      const h = digest(`r${n}`);
      return {
        grant,
        dataset: `${p}/data`,
        provider: p,
        requester: c,
        queryKind: "count",
        requestHash: h,
        resultHash: h,
        proofHash: h,
        nonce: h.subarray(0, 16),
        time,
      };
    });
    const h = ledger.hasher;
    return tx(p, "access.record", {
      batches: [
        {
          requester: c,
          receipts,
          requesterSig: signReceiptBatch(h, signer(c), p, c, receipts),
          providerSig: signReceiptBatch(h, signer(p), p, c, receipts),
        },
      ],
    });
  });
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

setup();
const normal: number[] = [];
for (let b = 0; b < BLOCKS; b++) normal.push(commit(receiptBlock(b)));
const boundary = commit(receiptBlock(BLOCKS));
const boundarySettle = settleSecs;
const after = commit(receiptBlock(BLOCKS + 1));
const emptySecs = commit([]);
const total = (BLOCKS + 1) * AGENCIES * PER_TX;
const p50 = pct(normal, 0.5);
const p99 = pct(normal, 0.99);
const rows = [
  ["receipt block without settlement, p50", ms(p50)],
  ["receipt block without settlement, p99", ms(p99)],
  ["receipt block without settlement, max", ms(Math.max(...normal))],
  ["boundary block (same receipts + settlement)", ms(boundary)],
  ["  of which settlement (`settleEpoch`)", ms(boundarySettle)],
  ["first block of the next epoch", ms(after)],
  ["empty block", ms(emptySecs)],
  ["boundary / p50 normal", `${(boundary / p50).toFixed(2)} ×`],
];
const report = `## Ledger: 共票 epoch settlement

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}.
${AGENCIES} agencies, each providing one dataset to each of the others (${AGENCIES * (AGENCIES - 1)} grants);
${total.toLocaleString("en-US")} co-signed receipts in one epoch, ${BLOCKS + 1} blocks of
${(AGENCIES * PER_TX).toLocaleString("en-US")} (one \`access.record\` of ${PER_TX} receipts per provider per block), the last
of them the epoch's boundary block. Times are \`Ledger.apply\` (execution, state commit, app hash), one core.
Run alone: \`node services/ledger/dist/bench/credits.js\`.

| block | time |
|---|---|
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

Fees are charged and each receipt's counted use is added to its provider's \`earnings\` record as it is recorded,
so the boundary block's extra work is bounded by providers × consumers (here ${AGENCIES} records of
≤ ${AGENCIES - 1} consumers), not by the ${total.toLocaleString("en-US")} receipts.`;
writeSection("credits", report);
process.stdout.write(`${report}\n`);
