import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keys, toHex } from "@coken/ledger";
import type { Store } from "@coken/store";
import {
  createArtifactRegistry,
  type LocalAnswerVerifier,
  ProverPool,
  parseWellFormedEvidence,
  proveWellFormed,
  verifyWellFormed,
  type WellFormedEvidence,
} from "@coken/zk";
import { GatewayError } from "../../src/errors.js";
import {
  EVIDENCE_RETRY_MAX_MS,
  EVIDENCE_RETRY_MS,
  retryAfterMs,
  WellFormedRecords,
} from "../../src/federation/well-formed.js";
import { ROWS, wellFormedArtifacts } from "../provider/proved-dataset.js";
import { type ProvedWorld, provedWorld } from "../provider/proved-world.js";
import {
  A,
  B,
  Clock,
  DATASET,
  GRANT,
  type MapLedger,
  makeClient,
  routedFetch,
  type Side,
} from "../provider/world.js";

const code = (c: string) => (e: unknown) => e instanceof GatewayError && e.code === c;

describe("well-formedness evidence: served by the owner, fetched and verified once by the asker", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let proved: ProvedWorld;
  let verifier: LocalAnswerVerifier;
  let evidence: WellFormedEvidence;
  let verifyKeys: ReturnType<typeof createArtifactRegistry>;

  before(async () => {
    const chunkKeys = await wellFormedArtifacts();
    proved = await provedWorld({
      clock,
      // five parcels: six chunk proofs of one position each
      rows: ROWS.slice(0, 5),
      extraVerifyingKeys: [chunkKeys],
      evidence: async () => served(),
    });
    ({ ledger, verifier, verifyKeys, provider, asker } = proved);
    const pool = new ProverPool({ size: 1, curveThreads: "none" });
    try {
      evidence = await proveWellFormed(
        proved.built.dataset,
        { artifacts: createArtifactRegistry([chunkKeys]), pool },
        { chunkRows: 1 },
      );
    } finally {
      await pool.close();
    }
  });
  after(() => proved?.close());

  let provider: Side;
  let asker: Store;
  /** What the provider serves as its evidence in the current test. */
  let served: () => unknown = () => null;

  /** A fresh asker (its own verified records) that requires verified evidence, and the documents it sent. */
  async function world(
    serve: () => unknown,
    options: {
      waitMs?: number;
      gate?: (onChunk?: (done: number, total: number) => void) => Promise<void>;
    } = {},
  ) {
    served = serve;
    const log = { bodies: [] as unknown[], headers: [] as Headers[] };
    const fetchFn = routedFetch([provider], log);
    let records: WellFormedRecords | undefined;
    const client = makeClient(B, ledger, clock, asker, fetchFn, {
      answerVerifier: verifier,
      requireWellFormed: true,
      wellFormed: (call, commitment, fields) =>
        records?.record(call.provider, call.dataset, commitment, fields),
    });
    const made = new WellFormedRecords({
      fetch: (p, d) => client.fetchEvidence(p, d),
      verify: async (json, commitment, fields, onChunk) => {
        await options.gate?.(onChunk);
        return verifyWellFormed(parseWellFormedEvidence(json), commitment, fields, verifyKeys);
      },
      now: clock.now,
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    });
    records = made;
    const documents = () =>
      log.bodies.map((b) =>
        String((b as { query?: unknown }).query ?? "")
          .split("(")[0]
          ?.trim(),
      );
    return { client, documents, records: made };
  }

  const membership = {
    provider: A,
    dataset: DATASET,
    grant: GRANT,
    query: { kind: "membership", key: "parcel-1" },
  } as const;

  it("a commitment without evidence is refused NOT_WELL_FORMED before any answer is asked", async () => {
    const { client, documents, records } = await world(() => null);
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
    assert.deepEqual(documents(), ["query CokenEvidence"]);
    assert.deepEqual(records.list(), {
      verified: [],
      refused: [
        {
          provider: A,
          dataset: DATASET,
          code: "NO_EVIDENCE",
          at: clock.now(),
          refusals: 0,
          retryAt: clock.now() + EVIDENCE_RETRY_MS,
        },
      ],
      verifying: [],
    });
    // not asked again inside the retry window
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
    assert.equal(documents().length, 1);
  });

  it("evidence that does not prove the commitment (chunks reordered) is refused NOT_WELL_FORMED", async () => {
    const [c0, c1, ...rest] = evidence.chunks;
    assert.ok(c0 && c1);
    const { client, records } = await world(() =>
      JSON.parse(JSON.stringify({ ...evidence, chunks: [c1, c0, ...rest] })),
    );
    await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
    const { verified, refused } = records.list();
    assert.deepEqual(verified, []);
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.provider, A);
    assert.equal(refused[0]?.dataset, DATASET);
    assert.ok((refused[0]?.code ?? "").length > 0 && refused[0]?.code !== "NO_EVIDENCE", refused[0]?.code);
  });

  it("evidence refused again and again is fetched again only after a wait that doubles each time", async () => {
    const [c0, c1, ...rest] = evidence.chunks;
    assert.ok(c0 && c1);
    const start = clock.t;
    try {
      const { client, documents, records } = await world(() =>
        JSON.parse(JSON.stringify({ ...evidence, chunks: [c1, c0, ...rest] })),
      );
      const fetches = () => documents().filter((d) => d === "query CokenEvidence").length;
      const waits: number[] = [];
      for (let round = 1; round <= 4; round++) {
        await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
        assert.equal(fetches(), round);
        const [r] = records.list().refused;
        assert.equal(r?.code, "NOT_WELL_FORMED");
        assert.equal(r?.refusals, round);
        const wait = (r?.retryAt ?? 0) - clock.t;
        waits.push(wait);
        // just before the wait is over: not fetched again
        clock.t += wait - 1;
        await assert.rejects(client.call(membership), code("NOT_WELL_FORMED"));
        assert.equal(fetches(), round);
        clock.t += 1;
      }
      assert.deepEqual(
        waits,
        [1, 2, 4, 8].map((k) => k * EVIDENCE_RETRY_MS),
      );
      assert.equal(retryAfterMs("NOT_WELL_FORMED", 40), EVIDENCE_RETRY_MAX_MS);
      assert.equal(retryAfterMs("UPSTREAM_UNAVAILABLE", 40), EVIDENCE_RETRY_MS);
    } finally {
      clock.t = start;
    }
  });

  it("with the owner's evidence the proved answer verifies, and the evidence is fetched once", async () => {
    let served = 0;
    const { client, documents, records } = await world(() => {
      served += 1;
      return JSON.parse(JSON.stringify(evidence));
    });
    const first = await client.call(membership);
    assert.deepEqual(first.result, { kind: "membership", member: true });
    assert.equal(first.verification.proof?.verified, true);
    const second = await client.call({ ...membership, query: { kind: "membership", key: "parcel-9" } });
    assert.deepEqual(second.result, { kind: "membership", member: false });
    assert.equal(served, 1);
    assert.deepEqual(documents().filter((d) => d === "query CokenEvidence").length, 1);
    const root = ledger.get(keys.dataset(DATASET))?.commitment?.root ?? assert.fail("no commitment");
    assert.deepEqual(records.list(), {
      verified: [
        {
          provider: A,
          dataset: DATASET,
          root: toHex(root),
          rowCount: 5,
          chunks: evidence.chunks.length,
          circuit: evidence.circuit,
          verifiedAt: clock.now(),
        },
      ],
      refused: [],
      verifying: [],
    });
    assert.ok(EVIDENCE_RETRY_MS > 0);
  });

  it("a call waits for a long verification only up to its bound, then the next call finds the record", async () => {
    let release: () => void = () => {};
    let progress: ((done: number, total: number) => void) | undefined;
    const { client, records } = await world(() => JSON.parse(JSON.stringify(evidence)), {
      waitMs: 50,
      gate: (onChunk) => {
        progress = onChunk;
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    });
    await assert.rejects(
      client.call(membership),
      (e: unknown) => (e as { code?: string }).code === "NOT_WELL_FORMED",
    );
    progress?.(3, evidence.chunks.length);
    const under = records.list();
    assert.equal(under.verified.length, 0);
    assert.equal(under.verifying.length, 1);
    assert.equal(under.verifying[0]?.done, 3);
    assert.equal(under.verifying[0]?.chunks, evidence.chunks.length);
    release();
    for (let i = 0; i < 200 && records.list().verified.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(records.list().verifying.length, 0);
    const answered = await client.call(membership);
    assert.deepEqual(answered.result, { kind: "membership", member: true });
  });
});
