import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Dataset, keys } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import {
  buildDatasetCommitment,
  createArtifactRegistry,
  type LocalQueryProver,
  type WellFormedEvidence,
} from "@coken/zk";
import { silentLogger } from "../src/log.js";
import { ProvedDatasets } from "../src/proved-datasets.js";

const SELF = "sh.land-registry";
const ID = "sh.land/parcels";
const FIELDS: Dataset["fields"] = [
  { name: "owner", type: "string", indexed: true, personal: true },
  { name: "value", type: "int", indexed: false, personal: false },
];
const ROWS = [1, 2, 3].map((i) => ({ key: `p-${i}`, fields: { owner: `person-${i}`, value: 10 * i } }));
const LAYOUT = { depth: 4, indexes: [{ field: "owner" }] };

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

  before(async () => {
    store = await openStore({ kind: "pglite" });
    await store.localData.upsertRows(ID, ROWS, 1);
  });
  after(() => store.close());

  function world(proveEvidence: () => Promise<WellFormedEvidence> | null, devKeys = false) {
    const registered: string[] = [];
    const prover = {
      register: (id: string) => void registered.push(id),
      unregister: () => {},
    } as unknown as LocalQueryProver;
    const datasets = new ProvedDatasets(
      {
        self: SELF,
        ledger,
        store,
        registry: createArtifactRegistry([]),
        prover,
        proveEvidence,
        devKeys,
        now: () => 1000,
        log: silentLogger,
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
    release(EVIDENCE);
    await pass;
    assert.equal(first.datasets.status()[0]?.state, "proving");
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
});
