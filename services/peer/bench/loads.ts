/** The loads the cluster benchmark offers: paced (open loop), saturating (a window of txs in flight), a soak. */
import { setTimeout as sleep } from "node:timers/promises";
import { decodeCommitCertificate } from "@coken/ledger";
import { openStore, type StoreConfig } from "@coken/store";
import { log, mib } from "./bench-util.js";
import { type Cluster, statuses, submit } from "./cluster-nodes.js";
import { RECEIPTS_PER_TX, SAMPLE_SECONDS } from "./settings.js";
import { accessTx, type Workload } from "./txs.js";

export interface LoadResult {
  from: number;
  to: number;
  firstSeq: number;
  lastSeq: number;
  /** Submit (first try) → committed at the provider, ms, per tx. */
  latencies: number[];
  /** Capacity refusals met and retried during the load. */
  refusals: number;
  exhausted: boolean;
}

/**
 * Submits `txs` (the next sequence numbers) at `txPerSec`, each at its due time (or at once if late, e.g. after
 * the peer asked it to retry). Open loop: what is offered does not follow what is committed.
 */
export async function paced(c: Cluster, txs: Iterable<Uint8Array>, txPerSec: number, seconds: number) {
  const firstSeq = c.seq;
  const refusedBefore = c.refusals;
  const from = Date.now();
  const end = from + seconds * 1000;
  let i = 0;
  for (const raw of txs) {
    const due = from + (i * 1000) / txPerSec;
    if (due >= end || Date.now() >= end) break;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    c.submitAt[c.seq] = Date.now();
    c.refusals += await submit(c.provider.apiPort, raw);
    c.seq++;
    i++;
  }
  const to = Date.now();
  return finish(c, firstSeq, refusedBefore, from, to, false);
}

/** Keeps `window` txs in flight (submitted, not yet committed) for `seconds`, or until the txs run out. */
export async function saturate(c: Cluster, txs: Uint8Array[], window: number, seconds: number) {
  const firstSeq = c.seq;
  const refusedBefore = c.refusals;
  const from = Date.now();
  const end = from + seconds * 1000;
  let i = 0;
  while (Date.now() < end && i < txs.length) {
    if (c.seq - c.watcher.committed >= window) {
      await sleep(5);
      continue;
    }
    c.submitAt[c.seq] = Date.now();
    c.refusals += await submit(c.provider.apiPort, txs[i++] as Uint8Array);
    c.seq++;
  }
  const to = Date.now();
  return finish(c, firstSeq, refusedBefore, from, to, i >= txs.length && to < end);
}

async function finish(
  c: Cluster,
  firstSeq: number,
  refusedBefore: number,
  from: number,
  to: number,
  exhausted: boolean,
): Promise<LoadResult> {
  await c.watcher.waitCommitted(c.seq, 300_000);
  const latencies: number[] = [];
  for (let s = firstSeq; s < c.seq; s++)
    latencies.push((c.watcher.commitAt[s] as number) - (c.submitAt[s] as number));
  return {
    from,
    to,
    firstSeq,
    lastSeq: c.seq - 1,
    latencies,
    refusals: c.refusals - refusedBefore,
    exhausted,
  };
}

export interface MemorySample {
  t: number;
  committedReceipts: number;
  rss: number[];
  heap: number[];
}

/** A paced load of txs built just before they are sent, sampling every validator's memory every SAMPLE_SECONDS. */
export async function soak(c: Cluster, w: Workload, txPerSec: number, seconds: number) {
  const samples: MemorySample[] = [];
  const t0 = Date.now();
  const committedAtStart = c.watcher.committed;
  const sample = async () => {
    const s = await statuses(c.nodes);
    samples.push({
      t: (Date.now() - t0) / 1000,
      committedReceipts: (c.watcher.committed - committedAtStart) * RECEIPTS_PER_TX,
      rss: s.map((x) => x?.rssBytes ?? Number.NaN),
      heap: s.map((x) => x?.heapUsedBytes ?? Number.NaN),
    });
  };
  let stop = false;
  const sampler = (async () => {
    for (let k = 0; !stop; k++) {
      const due = t0 + k * SAMPLE_SECONDS * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (stop) break;
      await sample();
      log(`  soak ${samples.at(-1)?.t.toFixed(0)} s: rss ${samples.at(-1)?.rss.map(mib).join(", ")}`);
    }
  })();
  // Built just before it is sent, so receipt times stay inside a short duplicate window.
  function* txs(): Generator<Uint8Array> {
    for (let seq = c.seq; ; seq++) yield accessTx(w, seq, RECEIPTS_PER_TX, Date.now());
  }
  const result = await paced(c, txs(), txPerSec, seconds);
  stop = true;
  await sampler;
  await sample();
  return { result, samples };
}

/**
 * From a stopped peer's store: for each height, the round its commit certificate was made in and the block's
 * time.
 */
export async function blockRounds(
  store: StoreConfig,
  heights: number[],
): Promise<{ round: number; time: number }[]> {
  const s = await openStore(store, { create: false });
  try {
    const out: { round: number; time: number }[] = [];
    for (const h of heights) {
      const b = await s.ledger.getBlock(h);
      if (b === null) continue;
      out.push({ round: b.commit ? decodeCommitCertificate(b.commit).round : -1, time: b.timeMs });
    }
    return out;
  } finally {
    await s.close();
  }
}
