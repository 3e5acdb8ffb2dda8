import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { memoryLogger } from "@coken/gateway";
import { type Dataset, keys } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import {
  type ArtifactRegistry,
  buildDatasetCommitment,
  type CommittedDataset,
  createArtifactRegistry,
  type LocalQueryProver,
  type WellFormedChunk,
  type WellFormedEvidence,
} from "@coken/zk";
import { type EvidenceJob, evidenceProver, type ResumedChunks } from "../src/evidence-prover.js";
import { type Logger, silentLogger } from "../src/log.js";
import { ProvedDatasets } from "../src/proved-datasets.js";

const SELF = "sh.land-registry";
const ID = "sh.land/parcels";
const FIELDS: Dataset["fields"] = [
  { name: "owner", type: "string", indexed: true, personal: true },
  { name: "value", type: "int", indexed: false, personal: false },
];
const ROWS = [1, 2, 3].map((i) => ({ key: `p-${i}`, fields: { owner: `person-${i}`, value: 10 * i } }));
const LAYOUT = { depth: 4, indexes: [{ field: "owner" }], evidence: true };

/** A stand-in for the chunk proofs: ProvedDatasets only keeps, serves and waits for it. */
const EVIDENCE: WellFormedEvidence = {
  circuit: "wellformed-f2-i1-r1",
  verifyingKeyHash: "ab".repeat(32),
  indexes: [{ field: "owner" }],
  chunks: [],
};

describe("proved datasets: answers over a commitment wait for its well-formedness evidence", () => {
  let store: Store;
  const built = buildDatasetCommitment(FIELDS, ROWS, LAYOUT);
  const dataset: Dataset = {
    id: ID,
    title: ID,
    description: "",
    fields: FIELDS,
    region: "SH",
    tags: [],
    updateFrequency: "daily",
    licence: "government use",
    queryKinds: ["lookup", "membership"],
    price: 0n,
    owner: SELF,
    commitment: { ...built.commitment, verifyingKeys: [] },
    commitmentVersion: 1,
    committedAt: 1,
    publishedAt: 1,
    accessCount: 0,
  };
  const ledger = { get: (key: string) => (key === keys.dataset(ID) ? dataset : undefined) };

  /** A store holding the rows and no evidence yet. */
  async function freshStore(): Promise<Store> {
    const s = await openStore({ kind: "pglite" });
    await s.localData.upsertRows(ID, ROWS, 1);
    return s;
  }
  const opened: Store[] = [];
  async function fresh(): Promise<Store> {
    const s = await freshStore();
    opened.push(s);
    return s;
  }
  before(async () => {
    store = await freshStore();
    opened.push(store);
  });
  after(() => Promise.all(opened.map((s) => s.close())));

  function world(
    proveEvidence: (d: unknown, job: EvidenceJob) => Promise<WellFormedEvidence> | null,
    devKeys = false,
    ledgerView: { get(key: string): unknown } = ledger,
    at: Store = store,
    log: Logger = silentLogger,
  ) {
    const registered: string[] = [];
    const prover = {
      register: (id: string) => void registered.push(id),
      unregister: () => {},
    } as unknown as LocalQueryProver;
    const datasets = new ProvedDatasets(
      {
        self: SELF,
        ledger: ledgerView,
        store: at,
        registry: createArtifactRegistry([]),
        prover,
        proveEvidence,
        devKeys,
        now: () => 1000,
        log,
      },
      { [ID]: LAYOUT },
    );
    return { datasets, registered };
  }

  it("without a chunk-circuit key: no evidence, so no proved answers (unless development keys)", async () => {
    const strict = world(() => null);
    await strict.datasets.refresh();
    assert.equal(strict.datasets.status()[0]?.state, "no-evidence");
    assert.deepEqual(strict.registered, []);
    assert.equal(await strict.datasets.evidence(ID), null);

    const dev = world(() => null, true);
    await dev.datasets.refresh();
    assert.equal(dev.datasets.status()[0]?.state, "proving");
    assert.deepEqual(dev.registered, [ID]);
    assert.equal(await dev.datasets.evidence(ID), null);
  });

  it("the evidence prover proves nothing for a dataset configured with evidence: false", () => {
    // a chunk circuit that fits the layout (two fields, one index, chunks of one row) is installed
    const registry = { list: () => [{ circuit: "wellformed-f2-i1-r1" }] } as unknown as ArtifactRegistry;
    const prover = evidenceProver(
      registry,
      { size: 1, curveThreads: "none" },
      { [ID]: { ...LAYOUT, evidence: false } },
    );
    const job: EvidenceJob = { dataset: ID, signal: new AbortController().signal, onChunk: () => {} };
    assert.equal(prover.prove(built.dataset as CommittedDataset, job), null);
    assert.equal(prover.prove(built.dataset, { ...job, dataset: "not/configured" }), null);
  });

  it("the evidence prover resumes under the chunk circuit and key it proves with", async () => {
    const registry = {
      list: () => [{ circuit: "wellformed-f2-i1-r1" }],
      get: (circuit: string) => ({ circuit, verifyingKeyHash: "cd".repeat(32) }),
    } as unknown as ArtifactRegistry;
    const prover = evidenceProver(registry, { size: 1, curveThreads: "none" }, { [ID]: LAYOUT });
    const asked: string[][] = [];
    const job: EvidenceJob = {
      dataset: ID,
      signal: AbortSignal.abort(),
      onChunk: () => {},
      resume: async (circuit, hash) => {
        asked.push([circuit, hash]);
        return { kept: new Map(), keep: () => {} };
      },
    };
    try {
      const proving = prover.prove(built.dataset, job) ?? assert.fail("a proof was expected");
      await assert.rejects(proving, { code: "CANCELLED" });
    } finally {
      await prover.close();
    }
    assert.deepEqual(asked, [["wellformed-f2-i1-r1", "cd".repeat(32)]]);
  });

  it("a restarted peer resumes from the chunk proofs kept so far, dropped once the evidence is kept", async () => {
    const at = await fresh();
    const logged: { level: string; module: string; msg: string; fields: Record<string, unknown> }[] = [];
    const log = memoryLogger(logged, "peer");
    const { circuit, verifyingKeyHash: hash } = EVIDENCE;
    const root = built.commitment.root;
    const chunk = (k: number): WellFormedChunk => ({
      publicSignals: [String(k)],
      proof: { pi_a: [String(k), "2", "1"], pi_b: [], pi_c: [] },
    });
    // a chunk proof of an earlier commitment of the dataset: dropped when this one comes into force
    const earlier = new Uint8Array(32).fill(9);
    await at.localData.putWellFormedChunk(ID, earlier, circuit, hash, 0, chunk(0), 1);
    const received: ReadonlyMap<number, WellFormedChunk>[] = [];
    const resumed = async (job: EvidenceJob): Promise<ResumedChunks> => {
      const r = (await job.resume?.(circuit, hash)) ?? assert.fail("resume expected");
      received.push(r.kept);
      return r;
    };

    // the first run proves chunks 0 and 1 (and one the store refuses to keep), then the peer stops
    let provedTwo: () => void = () => {};
    const twoProved = new Promise<void>((resolve) => {
      provedTwo = resolve;
    });
    const first = world(
      async (_d, job) => {
        const r = await resumed(job);
        r.keep(0, chunk(0));
        r.keep(1, chunk(1));
        r.keep(2, { publicSignals: [2], proof: {} } as unknown as WellFormedChunk);
        provedTwo();
        return new Promise((_, reject) =>
          job.signal.addEventListener("abort", () => reject(new Error("stop"))),
        );
      },
      false,
      ledger,
      at,
      log,
    );
    await first.datasets.refresh();
    await twoProved;
    await first.datasets.stop();
    const keptNow = await at.localData.listWellFormedChunks(ID, root, circuit, hash);
    assert.deepEqual(
      keptNow.map((c) => [c.chunk, c.value]),
      [
        [0, chunk(0)],
        [1, chunk(1)],
      ],
    );
    assert.deepEqual(await at.localData.listWellFormedChunks(ID, earlier, circuit, hash), []);
    assert.ok(
      logged.some((e) => e.level === "warn" && e.msg.startsWith("cannot keep") && e.fields.chunk === 2),
      "a chunk that cannot be kept is logged, and the run goes on",
    );

    // the next peer over the same store is handed them, proves the rest, keeps the evidence, drops the chunks
    const second = world(
      async (_d, job) => {
        const r = await resumed(job);
        r.keep(2, chunk(2));
        return { ...EVIDENCE, chunks: [0, 1, 2].map(chunk) };
      },
      false,
      ledger,
      at,
      log,
    );
    await second.datasets.refresh();
    await second.datasets.settled();
    assert.deepEqual(received, [
      new Map(),
      new Map([
        [0, chunk(0)],
        [1, chunk(1)],
      ]),
    ]);
    assert.deepEqual(second.datasets.status()[0]?.evidence, { state: "proved", chunks: 3 });
    assert.notEqual(await at.localData.getWellFormedEvidence(ID, root), null);
    assert.deepEqual(await at.localData.listWellFormedChunks(ID, root, circuit, hash), []);
  });

  it("proves the evidence once, serves answers only after it, keeps it in the store and serves it", async () => {
    let release: (e: WellFormedEvidence) => void = () => {};
    let proofs = 0;
    const first = world(() => {
      proofs += 1;
      return new Promise((resolve) => {
        release = resolve;
      });
    });
    const pass = first.datasets.refresh();
    for (let i = 0; i < 1500 && first.datasets.status()[0]?.state !== "proving-evidence"; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(first.datasets.status()[0]?.state, "proving-evidence");
    assert.deepEqual(first.registered, [], "no answers while the evidence is being proved");
    assert.equal(await first.datasets.evidence(ID), null);
    await pass;
    assert.equal(
      first.datasets.status()[0]?.state,
      "proving-evidence",
      "the pass does not wait for the proof",
    );
    release(EVIDENCE);
    await first.datasets.settled();
    assert.equal(first.datasets.status()[0]?.state, "proving");
    assert.deepEqual(first.datasets.status()[0]?.evidence, { state: "proved", chunks: 0 });
    assert.deepEqual(first.registered, [ID]);
    assert.deepEqual(await first.datasets.evidence(ID), EVIDENCE);
    assert.deepEqual(await store.localData.getWellFormedEvidence(ID, built.commitment.root), EVIDENCE);

    // a restarted peer finds it in the store and proves nothing
    const again = world(() => assert.fail("the kept evidence is used"));
    await again.datasets.refresh();
    assert.equal(again.datasets.status()[0]?.state, "proving");
    assert.deepEqual(await again.datasets.evidence(ID), EVIDENCE);
    assert.equal(proofs, 1);
  });

  it("with development keys, answers are served while the evidence is proved, and its progress is shown", async () => {
    let job: EvidenceJob | undefined;
    let release: (e: WellFormedEvidence) => void = () => {};
    const view = ledger;
    const dev = world(
      (_d, j) => {
        job = j;
        j.onChunk(0, 4);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
      true,
      view,
      await fresh(),
    );
    await dev.datasets.refresh();
    const proving = dev.datasets.status()[0];
    assert.equal(proving?.state, "proving");
    assert.deepEqual(proving?.evidence, { state: "proving", done: 0, chunks: 4 });
    assert.deepEqual(dev.registered, [ID], "served at once");
    job?.onChunk(3, 4);
    assert.deepEqual(dev.datasets.status()[0]?.evidence, { state: "proving", done: 3, chunks: 4 });
    release({ ...EVIDENCE, chunks: new Array(4).fill(EVIDENCE.chunks[0] ?? null) });
    await dev.datasets.settled();
    assert.deepEqual(dev.datasets.status()[0]?.evidence, { state: "proved", chunks: 4 });
  });

  it("a newer commitment stops the running evidence proof, whose late result changes nothing", async () => {
    let current: Dataset = { ...dataset, commitmentVersion: 7 };
    const view = { get: (key: string) => (key === keys.dataset(ID) ? current : undefined) };
    const jobs: EvidenceJob[] = [];
    const releases: ((e: WellFormedEvidence) => void)[] = [];
    const w = world(
      (_d, j) => {
        jobs.push(j);
        return new Promise((resolve) => releases.push(resolve));
      },
      false,
      view,
      await fresh(),
    );
    await w.datasets.refresh();
    assert.equal(w.datasets.status()[0]?.state, "proving-evidence");
    // version 8 of the same rows comes into force: the run for version 7 is stopped and a new one starts
    current = { ...dataset, commitmentVersion: 8 };
    await w.datasets.refresh();
    assert.equal(jobs.length, 2);
    assert.equal(jobs[0]?.signal.aborted, true);
    assert.equal(jobs[1]?.signal.aborted, false);
    releases[0]?.({ ...EVIDENCE, circuit: "stale" });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(w.datasets.status()[0]?.state, "proving-evidence", "the stopped run serves nothing");
    assert.deepEqual(w.registered, []);
    releases[1]?.(EVIDENCE);
    await w.datasets.settled();
    assert.equal(w.datasets.status()[0]?.state, "proving");
    assert.equal(w.datasets.status()[0]?.version, 8);
    assert.deepEqual(await w.datasets.evidence(ID), EVIDENCE);
  });

  it("a failed evidence proof leaves the dataset without proved answers, with the code", async () => {
    const w = world(
      () => Promise.reject(Object.assign(new Error("boom"), { code: "PROOF_INVALID" })),
      false,
      ledger,
      await fresh(),
    );
    await w.datasets.refresh();
    await w.datasets.settled();
    const s = w.datasets.status()[0];
    assert.equal(s?.state, "no-evidence");
    assert.equal(s?.code, "PROOF_INVALID");
    assert.deepEqual(s?.evidence, { state: "failed", code: "PROOF_INVALID" });
    assert.deepEqual(w.registered, []);
  });
});
