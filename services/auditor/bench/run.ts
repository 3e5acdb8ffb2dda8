import { performance } from "node:perf_hooks";
import { machine, writeSection } from "@coken/ledger/bench-report";
import { buildChain } from "../test/chain.js";
import { archiveOf, audit } from "../test/helpers.js";

// Replay speed of `coken audit` on one core: a chain of co-signed batches of 1,000 receipts (lookups: no proofs),
// audited from an in-memory archive: decode, header and certificate checks, re-execution with both batch signatures,
// the auditor's own re-check of every receipt's batch signatures, app hashes, statistics.
const ROUNDS = Number(process.env.AUDIT_BENCH_ROUNDS ?? 30);
const PER_BATCH = 1000;

const chain = buildChain(ROUNDS, PER_BATCH, ROUNDS * PER_BATCH * 2);
const bytes = await archiveOf(chain);
const audit64k = (b: Uint8Array) => audit(b, {}, 65536);
await audit64k(bytes); // warm-up
const runs: number[] = [];
let receipts = 0;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const { auditor } = await audit64k(bytes);
  runs.push((performance.now() - t) / 1000);
  receipts = auditor.stats.receipts.acknowledged;
}
const best = Math.min(...runs);
const rate = Math.round(receipts / best);
const md = `## Auditor: replay speed

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. \`node services/auditor/dist/bench/run.js\`.
One process, one core: ${receipts.toLocaleString("en")} co-signed receipts in ${ROUNDS} blocks (batches of ${PER_BATCH}),
read from an in-memory archive (${(bytes.length / 2 ** 20).toFixed(1)} MiB) and fully audited: frame hash chain, headers
and certificates, re-execution (both batch signatures, receipt ids, Merkle roots, app hash) and the auditor's own
re-check of every batch's signatures. Proof verification is not included (Groth16, counted separately: see the ZK
section). Best of 3 runs.

| what | value |
|---|---|
| receipts re-verified per second | ${rate.toLocaleString("en")} /s |
| whole audit | ${best.toFixed(2)} s |
| target | ≥ 20,000 receipts/s |
`;
console.log(md);
if (process.env.AUDIT_BENCH_WRITE !== "0") writeSection("auditor", md);
