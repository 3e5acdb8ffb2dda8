import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeVote, proposerSchedule, signProposal, signVote } from "@coken/consensus";
import {
  blockHash,
  bytesEqual,
  createHasher,
  createVerifier,
  Ledger,
  parseGenesis,
  toHex,
  voteSignBytes,
} from "@coken/ledger";
import type { DriverOptions } from "../src/driver.js";
import { encodeWalInput } from "../src/wal-codec.js";
import { AGENCIES, genesisDoc, signerOf } from "./fixtures.js";
import {
  bootValidator,
  type CrashPlan,
  emptyStore,
  type Incarnation,
  InProcHub,
  makeStores,
  shutdown,
  signedBy,
  type TestStore,
  type WritePoint,
  waitUntil,
} from "./inproc.js";

/*
 * The issue's crash test: a validator crashes at every distinct write point of consensus state of one height (each
 * WAL append and each sign-state update, before it happens and right after it completes), restarts on the same
 * store, and never signs conflicting votes; the network commits on.
 *
 * Four validators run in this process over an in-memory network, each with its own in-memory PGlite store. A
 * first, clean run counts the victim's writes of height H; then for each of them a run crashes the victim there,
 * restarts it at once on its store (a new ledger, mempool and driver, whose start() replays the WAL) and checks
 * that all four reach H + 2 with identical blocks, that everything the victim published in both lives agrees per
 * (height, round, step), and that no node saw duplicate-vote evidence.
 */

const H = 2;
const TARGET = H + 2;
const BOUND_MS = 20_000;
const ATTEMPTS = 2;

const DRIVER: DriverOptions = {
  timeouts: {
    proposeMs: 120,
    proposeDeltaMs: 40,
    prevoteMs: 60,
    prevoteDeltaMs: 30,
    precommitMs: 60,
    precommitDeltaMs: 30,
  },
  commitDelayMs: 10,
  regossipMs: 1000,
  maxBlockTxs: 100,
  maxBlockBytes: 1 << 20,
};

const genesis = parseGenesis(genesisDoc());
const schedule = proposerSchedule(genesis.validators);

interface Outcome {
  /** The victim's counted writes of height H in its first life (up to the crash). */
  trace: WritePoint[];
  crashedAt: WritePoint | null;
}

function describeNodes(nodes: Iterable<Incarnation>): string {
  return [...nodes]
    .map((n) => {
      const lines = n.log
        .slice(-6)
        .map((l) => `${l.level} ${l.module}: ${l.msg} ${JSON.stringify(l.fields)}`);
      const halted = n.driver.halted as { detail?: unknown } | null;
      const detail = halted?.detail ? ` ${JSON.stringify(halted.detail)}` : "";
      const history = n.crashable.history
        .slice(-40)
        .map((p) => `${p.height} ${p.label}`)
        .join(" | ");
      return `${n.agency} head=${n.chain.ledger.head.height} halted=${String(halted)}${detail}\n  ${lines.join("\n  ")}\n  last writes: ${history}`;
    })
    .join("\n");
}

/** One run from genesis: boot four validators, crash `victim` per `plan` (if any), restart it, check everything. */
async function scenario(stores: TestStore[], victim: string, plan: CrashPlan | null): Promise<Outcome> {
  await Promise.all(stores.map(emptyStore));
  const hub = new InProcHub();
  const current = new Map<string, Incarnation>();
  const lives: Incarnation[] = [];
  let crash: { old: Incarnation; point: WritePoint } | null = null;

  const boot = async (agency: string, index: number, withPlan: CrashPlan | null) => {
    const store = stores[index]?.store;
    if (store === undefined) throw new Error(`no store for ${agency}`);
    const node = await bootValidator({
      agency,
      identity: { agency, signer: signerOf(agency) },
      store,
      hub,
      genesis,
      driver: DRIVER,
      countHeight: H,
      plan: withPlan,
      onCrash: (old, point) => {
        crash = { old, point };
      },
    });
    current.set(agency, node);
    lives.push(node);
    return node;
  };
  const heads = () => [...current.values()].map((n) => n.chain.ledger.head.height);
  const seen = () => `heads ${heads().join(",")}\n${describeNodes(lives)}`;

  try {
    await Promise.all(AGENCIES.map((a, i) => boot(a, i, a === victim ? plan : null)));
    const first = current.get(victim) as Incarnation;

    await waitUntil(
      plan ? `the crash at write ${plan.index} (${plan.phase}) or height ${TARGET}` : `height ${TARGET}`,
      () => crash !== null || heads().every((h) => h >= TARGET),
      seen,
      BOUND_MS,
    );

    const crashed = crash as { old: Incarnation; point: WritePoint } | null;
    if (crashed !== null) {
      // The old process is gone: its driver halted on the crash and its queue drains. A new process starts on
      // the same store.
      await crashed.old.driver.stop();
      assert.ok(crashed.old.driver.halted instanceof Error, "the crashed driver halted");
      assert.equal((crashed.old.driver.halted as Error).name, "CrashError");
      await boot(victim, AGENCIES.indexOf(victim), null);
    }

    // (1) The network commits on: all four, the restarted victim too, reach H + 2.
    await waitUntil(`all four at height ${TARGET}`, () => heads().every((h) => h >= TARGET), seen, BOUND_MS);

    for (const node of current.values())
      assert.equal(node.driver.halted, null, `${node.agency} halted: ${String(node.driver.halted)}`);

    // (2) Every height holds the same block on every node.
    for (let height = 1; height <= TARGET; height++) {
      const blocks = await Promise.all(stores.map((s) => s.store.ledger.getBlock(height)));
      const hashes = blocks.map((b) => (b ? toHex(b.hash) : "missing"));
      assert.ok(
        hashes.every((h) => h === hashes[0] && h !== "missing"),
        `blocks at height ${height}: ${hashes.join(" ")}`,
      );
      assert.ok(
        blocks.every((b) => b?.commit !== null),
        `every block at height ${height} has its certificate`,
      );
    }

    // (3) Across both lives, the victim never published two different messages for one (height, round, step).
    const { raw, votes } = signedBy(hub.published, victim);
    for (const [key, list] of raw) {
      const firstBytes = list[0] as Uint8Array;
      const differing = list.filter((b) => !bytesEqual(b, firstBytes));
      assert.equal(
        differing.length,
        0,
        `${victim} signed ${list.length} messages at ${key}, not all the same`,
      );
    }
    // The stronger property is checked above; this names the slashable case, should it ever occur.
    for (const v of votes) {
      const conflicting = votes.find(
        (w) =>
          w.height === v.height &&
          w.round === v.round &&
          w.type === v.type &&
          (w.blockHash === null || v.blockHash === null
            ? w.blockHash !== v.blockHash
            : !bytesEqual(w.blockHash, v.blockHash)),
      );
      assert.equal(conflicting, undefined, `${victim} double-voted at ${v.height}/${v.round}/${v.type}`);
    }

    // (4) Nobody found duplicate-vote evidence (against the victim or anyone), nor invalid data.
    const evidence = lives.reduce((sum, n) => sum + n.driver.counters.evidence, 0);
    assert.equal(evidence, 0, "duplicate-vote evidence was raised");
    assert.equal(hub.published.filter((p) => p.topic === "evidence").length, 0, "evidence was gossiped");
    for (const n of lives)
      assert.equal(
        n.log.filter((l) => l.msg === "evidence received" || l.msg === "duplicate vote evidence").length,
        0,
        `${n.agency} logged evidence`,
      );
    assert.deepEqual(hub.invalid, [], "no peer reported invalid data");
    assert.deepEqual(hub.handlerErrors, [], "no gossip handler threw");

    return { trace: first.crashable.trace, crashedAt: crashed?.point ?? null };
  } catch (e) {
    throw new Error(
      `${plan ? `crash plan ${JSON.stringify(plan)}` : "clean run"}: ${(e as Error).message}\n${seen()}`,
      { cause: e },
    );
  } finally {
    await Promise.all([...current.values()].map(shutdown));
    for (const n of lives) n.crashable.kill();
    hub.close();
  }
}

describe("a validator that crashes at each consensus write of a height", () => {
  let stores: TestStore[] = [];

  before(async () => {
    stores = await makeStores(AGENCIES.length);
    // A first run warms the process up, so the clean runs that count write points go at the pace of the rest.
    await scenario(stores, AGENCIES[0] as string, null);
  });

  after(async () => {
    await Promise.all(stores.map((s) => s.store.close()));
  });

  const proposer = schedule.proposer(H, 0);
  const bystander =
    AGENCIES.find((a) => a !== proposer && a !== schedule.proposer(H + 1, 0)) ??
    (AGENCIES.find((a) => a !== proposer) as string);

  for (const [role, victim] of [
    ["the proposer", proposer],
    ["not the proposer", bystander],
  ] as const) {
    it(`restarts and never signs conflicting messages; the network commits on (victim ${role} of height ${H})`, async (t) => {
      const clean = await scenario(stores, victim, null);
      const points = clean.trace;
      assert.ok(
        points.some((p) => p.op === "setSignState"),
        `the clean run signed at height ${H}: ${points.map((p) => p.label).join(", ")}`,
      );
      t.diagnostic(
        `${victim}: ${points.length} writes at height ${H}: ${points.map((p) => p.label).join(" | ")}`,
      );

      const exercised: string[] = [];
      const missed: string[] = [];
      for (let index = 1; index <= points.length; index++) {
        for (const phase of ["before", "after"] as const) {
          let outcome: Outcome | null = null;
          for (let attempt = 0; attempt < ATTEMPTS && outcome?.crashedAt == null; attempt++)
            outcome = await scenario(stores, victim, { height: H, index, phase });
          const at = outcome?.crashedAt;
          if (at) exercised.push(`${index}${phase === "before" ? "<" : ">"} ${at.label}`);
          else missed.push(`${index} ${phase}`);
        }
      }
      t.diagnostic(`crashed at ${exercised.length} points: ${exercised.join(" | ")}`);
      if (missed.length > 0)
        t.diagnostic(`not reached (height ${H} needed fewer writes): ${missed.join(", ")}`);
      // Which writes a height needs depends on message timing, so a late index may not come up in a given run;
      // the points every height has (start, the signatures, ...) always do.
      assert.ok(exercised.length >= points.length, `only ${exercised.length} of ${2 * points.length} points`);
      for (const op of ["appendWal", "setSignState"])
        assert.ok(
          exercised.some((e) => e.includes(op === "appendWal" ? "wal " : "sign ")),
          `a crash at ${op} was exercised`,
        );
    });
  }

  it("a validator whose WAL holds only messages that came before its start input resumes that height", async () => {
    // A crash before the `start` of a height is written, when a faster peer's vote for that height was written
    // already (it arrived during the commit delay): the WAL of the height is not empty, yet holds no start.
    const agency = AGENCIES.find((a) => a !== schedule.proposer(1, 0)) as string;
    const other = AGENCIES.find((a) => a !== agency) as string;
    const test = stores[0] as TestStore;
    await emptyStore(test);
    const hub = new InProcHub();
    const vote = signVote(createHasher(genesis.hashAlgorithm), signerOf(other), genesis.chainId, {
      type: "prevote",
      height: 1,
      round: 0,
      blockHash: null,
      validator: other,
      time: Date.now(),
    });
    await test.store.consensus.appendWal(encodeWalInput({ kind: "vote", vote, time: Date.now() }));
    const node = await bootValidator({
      agency,
      identity: { agency, signer: signerOf(agency) },
      store: test.store,
      hub,
      genesis,
      driver: DRIVER,
      countHeight: 1,
    });
    try {
      // Alone it cannot commit, but running height 1 it prevotes nil once its propose timeout passes.
      await waitUntil(
        "the restarted validator to vote at height 1",
        () => signedBy(hub.published, agency).votes.some((v) => v.height === 1),
        () =>
          `published ${hub.published.length}, WAL ${node.crashable.history.map((p) => p.label).join(" | ")}`,
        BOUND_MS / 4,
      );
    } finally {
      await shutdown(node);
      hub.close();
    }
  });

  it("gossip arriving while the WAL is replayed does not change what the replay signs again", async () => {
    // Before the crash: start; the proposal of B (prevote B); x prevotes B, y prevotes nil (2/3 prevoted, no
    // polka); the prevote timeout (precommit nil). During the replay z's prevote for B arrives. Handled between the
    // replayed inputs, it would make x's prevote complete a polka for B: a precommit for B after the one for nil.
    const hasher = createHasher(genesis.hashAlgorithm);
    const chain = genesis.chainId;
    const proposer = schedule.proposer(1, 0);
    const [agency, x, y, z] = [...AGENCIES.filter((a) => a !== proposer), proposer] as [
      string,
      string,
      string,
      string,
    ];
    const t0 = Date.now();
    const block = Ledger.fromGenesis(genesis, createVerifier()).buildBlock({
      txs: [],
      time: t0,
      proposer,
      lastCommit: null,
    });
    const hash = blockHash(hasher, block.header);
    const proposal = signProposal(hasher, signerOf(proposer), chain, {
      height: 1,
      round: 0,
      polRound: -1,
      block,
      proposer,
    });
    const prevote = (from: string, value: Uint8Array | null, time: number) =>
      signVote(hasher, signerOf(from), chain, {
        type: "prevote",
        height: 1,
        round: 0,
        blockHash: value,
        validator: from,
        time,
      });
    const [t1, t2, t3, t4] = [t0 + 10, t0 + 20, t0 + 30, t0 + 40];
    const test = stores[0] as TestStore;
    await emptyStore(test);
    for (const input of [
      { kind: "start", height: 1, time: t0 } as const,
      { kind: "proposal", proposal, valid: true, time: t1 } as const,
      { kind: "vote", vote: prevote(x, hash, t2), time: t2 } as const,
      { kind: "vote", vote: prevote(y, null, t3), time: t3 } as const,
      { kind: "timeout", step: "prevote", height: 1, round: 0, time: t4 } as const,
    ])
      await test.store.consensus.appendWal(encodeWalInput(input));
    const nilPrecommit = voteSignBytes(hasher, {
      chain,
      type: "precommit",
      height: 1,
      round: 0,
      blockHash: null,
      time: t4,
    });
    await test.store.consensus.setSignState({ height: 1, round: 0, step: 2, signBytes: nilPrecommit });

    const hub = new InProcHub();
    const zEndpoint = hub.connect(z);
    let injected = false;
    const node = await bootValidator({
      agency,
      identity: { agency, signer: signerOf(agency) },
      store: test.store,
      hub,
      genesis,
      driver: DRIVER,
      countHeight: 1,
      async beforeWrite(self, point) {
        if (injected || point.label !== "sign prevote r0") return;
        injected = true;
        // z's prevote arrives now, while the replay waits for this write; give it time to be handled (a driver
        // that holds live input until the replay is done never handles it here, and the wait just runs out).
        const before = self.driver.counters.inputs;
        await zEndpoint.publish("votes", encodeVote(prevote(z, hash, Date.now())));
        const end = Date.now() + 300;
        while (self.driver.counters.inputs === before && Date.now() < end)
          await new Promise((r) => setTimeout(r, 1));
      },
    });
    try {
      // Five replayed inputs, z's prevote and the start submitted after the replay: all handled.
      await waitUntil(
        "the replay and z's prevote to be handled",
        () => node.driver.counters.inputs >= 7,
        () =>
          `published ${hub.published.length}; writes ${node.crashable.history.map((p) => p.label).join(" | ")}`,
        BOUND_MS / 4,
      );
      assert.ok(injected, "z's prevote was sent during the replay");
      const { votes } = signedBy(hub.published, agency);
      const signed = (type: string) => [
        ...new Set(
          votes
            .filter((v) => v.type === type)
            .map((v) => `${v.blockHash === null ? "nil" : toHex(v.blockHash)}@${v.time}`),
        ),
      ];
      assert.deepEqual(signed("prevote"), [`${toHex(hash)}@${t1}`], "the prevote signed before the crash");
      assert.deepEqual(signed("precommit"), [`nil@${t4}`], "the precommit signed before the crash, only");
      assert.equal(node.driver.halted, null);
    } finally {
      await shutdown(node);
      hub.close();
    }
  });
});
