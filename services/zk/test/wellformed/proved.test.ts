import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DatasetCommitment } from "@coken/ledger";
import { isZkError, type ZkErrorCode } from "../../src/errors.js";
import { ProverPool } from "../../src/prover/pool.js";
import { createArtifactRegistry } from "../../src/registry/artifacts.js";
import type { CircuitArtifacts } from "../../src/setup/manifest.js";
import { loadPairingCurve } from "../../src/setup/snark.js";
import { ownWellFormed, proveWellFormed, type WellFormedEvidence } from "../../src/wellformed/evidence.js";
import type { WellFormedChunk } from "../../src/wellformed/resume.js";
import { verifyWellFormed } from "../../src/wellformed/verify.js";
import { shutdown } from "../circuits/harness.js";
import { PROPERTY_FIELDS } from "../commitment/fixtures.js";
import { WELLFORMED_TEST_SPEC, wellFormedTestArtifacts } from "../fixtures/artifacts.js";
import { register } from "../fixtures/world.js";

// The evidence of the register fixture proved with the development keys of the chunk circuit (the circuit's
// constraints themselves are exercised in wellformed.test.ts).
const ROWS = WELLFORMED_TEST_SPEC.params.rows ?? 1;
const rejects = (p: Promise<unknown>, code: ZkErrorCode) =>
  assert.rejects(p, (e) => isZkError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));

describe(`well-formedness evidence proved and verified (dev keys, chunks of ${ROWS} position(s))`, () => {
  const reg = register(6);
  const ledger: DatasetCommitment = { ...reg.commitment, verifyingKeys: [] };
  let artifacts: CircuitArtifacts;
  let pool: ProverPool;
  let evidence: WellFormedEvidence;
  let proved: Map<number, WellFormedChunk>;

  /** Proves the evidence, resuming from `kept`: which chunks it proved, and its progress. */
  async function prove(kept?: ReadonlyMap<number, WellFormedChunk>) {
    const [proved, progress] = [new Map<number, WellFormedChunk>(), [] as number[]];
    const ev = await proveWellFormed(
      reg.dataset,
      { artifacts: createArtifactRegistry([artifacts]), pool },
      {
        chunkRows: ROWS,
        onChunkProof: (k, chunk) => proved.set(k, chunk),
        onChunk: (done) => progress.push(done),
        ...(kept === undefined ? {} : { kept }),
      },
    );
    return { ev, proved, progress };
  }

  before(async () => {
    artifacts = await wellFormedTestArtifacts();
    pool = new ProverPool({ size: 1, curveThreads: "none" });
    ({ ev: evidence, proved } = await prove());
  });
  after(async () => {
    await pool.close();
    await shutdown();
  });

  it("verifies against the ledger commitment and yields the owner's record", async () => {
    const keys = createArtifactRegistry([artifacts]);
    const record = await verifyWellFormed(evidence, ledger, PROPERTY_FIELDS, keys);
    assert.deepEqual(record, ownWellFormed(reg.dataset));
  });

  it("reports each chunk it checks and yields to the event loop after each slice of chunks", async () => {
    const registry = createArtifactRegistry([artifacts]);
    const vk = (await registry.verificationKey(evidence.verifyingKeyHash)) ?? assert.fail("no key");
    const keys = { verificationKey: async () => vk, circuitOf: (h: string) => registry.circuitOf(h) };
    const pairing = await loadPairingCurve();
    const order: string[] = [];
    await verifyWellFormed(evidence, ledger, PROPERTY_FIELDS, keys, pairing, {
      onChunk: (done, total) => {
        order.push(`${done}/${total}`);
        // a turn of the event loop asked for during the first slice comes before the next slice
        if (done === 1) setImmediate(() => order.push("event loop"));
      },
      sliceChunks: 4,
    });
    const n = evidence.chunks.length;
    assert.ok(n > 4, "more than one slice of chunks");
    const chunks = Array.from({ length: n }, (_, i) => `${i + 1}/${n}`);
    assert.deepEqual(order, [...chunks.slice(0, 4), "event loop", ...chunks.slice(4)]);

    // evidence whose chain breaks at its last chunk is refused before any proof is checked
    const last = evidence.chunks.at(-1) ?? assert.fail("no chunk");
    const broken = {
      ...evidence,
      chunks: [
        ...evidence.chunks.slice(0, -1),
        { ...last, publicSignals: [...last.publicSignals].reverse() },
      ],
    };
    let checked = 0;
    await rejects(
      verifyWellFormed(broken, ledger, PROPERTY_FIELDS, keys, pairing, {
        onChunk: () => {
          checked += 1;
        },
      }),
      "NOT_WELL_FORMED",
    );
    assert.equal(checked, 0);
  });

  it("resumes from kept chunks that check, and proves again those that do not", async () => {
    const keys = createArtifactRegistry([artifacts]);
    const n = evidence.chunks.length;
    assert.equal(n, 7, "6 rows and the sentinel, a chunk each");
    assert.deepEqual([...proved.keys()].sort(), [...evidence.chunks.keys()], "each chunk is reported");
    const at = (k: number) => proved.get(k) ?? assert.fail(`chunk ${k}`);
    const signals = evidence.chunks.map((c) => c.publicSignals);
    // half of them kept: only the others are proved, and the evidence is the same statement
    const half = await prove(new Map([0, 2, 4, 6].map((k) => [k, at(k)])));
    assert.deepEqual([...half.proved.keys()].sort(), [1, 3, 5]);
    assert.deepEqual(
      half.progress,
      Array.from({ length: n + 1 }, (_, i) => i),
      "kept chunks count as done",
    );
    assert.deepEqual(half.ev.chunks[2], at(2));
    assert.deepEqual(
      { ...half.ev, chunks: half.ev.chunks.map((c) => c.publicSignals) },
      { ...evidence, chunks: signals },
    );
    await verifyWellFormed(half.ev, ledger, PROPERTY_FIELDS, keys);
    // a tampered signal (7: the row tree's block root), another chunk's proof with or without its signals, a
    // malformed proof: proved again; the honest kept one is taken
    const c0 = at(0);
    const tampered = new Map<number, WellFormedChunk>([
      [0, { ...c0, publicSignals: c0.publicSignals.map((s, i) => (i === 7 ? "1" : s)) }],
      [1, at(3)],
      [2, { ...at(2), proof: at(4).proof }],
      [4, at(4)],
      [6, { ...at(6), proof: { ...at(6).proof, pi_a: ["x"] } }],
    ]);
    const redo = await prove(tampered);
    assert.deepEqual([...redo.proved.keys()].sort(), [0, 1, 2, 3, 5, 6]);
    assert.deepEqual(
      redo.progress,
      Array.from({ length: n + 1 }, (_, i) => i),
    );
    assert.deepEqual(redo.ev.chunks[4], at(4));
    assert.deepEqual(
      redo.ev.chunks.map((c) => c.publicSignals),
      signals,
    );
    assert.deepEqual(
      await verifyWellFormed(redo.ev, ledger, PROPERTY_FIELDS, keys),
      ownWellFormed(reg.dataset),
    );
  });

  it("is refused for another root, another rowCount, a missing, reordered or re-encoded chunk", async () => {
    const keys = createArtifactRegistry([artifacts]);
    const other = register(6, 99);
    const [c0, c1, ...rest] = evidence.chunks;
    if (c0 === undefined || c1 === undefined) throw new Error("two chunks or more expected");
    const cases: [string, WellFormedEvidence, DatasetCommitment, ZkErrorCode][] = [
      ["another root", evidence, { ...ledger, root: other.commitment.root }, "NOT_WELL_FORMED"],
      ["rowCount", evidence, { ...ledger, rowCount: 5 }, "NOT_WELL_FORMED"],
      ["missing chunk", { ...evidence, chunks: [c0, c1, ...rest.slice(1)] }, ledger, "NOT_WELL_FORMED"],
      ["reordered", { ...evidence, chunks: [c1, c0, ...rest] }, ledger, "NOT_WELL_FORMED"],
      [
        "Jacobian point",
        {
          ...evidence,
          chunks: [{ ...c0, proof: { ...c0.proof, pi_a: [...c0.proof.pi_a.slice(0, 2), "2"] } }, c1, ...rest],
        },
        ledger,
        "PROOF_INVALID",
      ],
      ["unknown key", { ...evidence, verifyingKeyHash: "00".repeat(32) }, ledger, "KEY_UNKNOWN"],
    ];
    for (const [what, ev, c, code] of cases) {
      await rejects(verifyWellFormed(ev, c, PROPERTY_FIELDS, keys), code).catch((e) => {
        throw new Error(`${what}: ${(e as Error).message}`);
      });
    }
  });
});
