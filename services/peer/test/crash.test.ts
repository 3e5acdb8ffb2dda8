import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeVote, proposerSchedule, signProposal, signVote } from "@coken/consensus";
import {
  blockHash,
  createHasher,
  createVerifier,
  Ledger,
  parseGenesis,
  toHex,
  voteSignBytes,
} from "@coken/ledger";
import type { DriverOptions } from "../src/driver.js";
import { encodeWalInput } from "../src/wal-codec.js";
import { type CrashOutcome, type CrashScenario, runCrashScenario } from "./crash-scenario.js";
import { AGENCIES, genesisDoc, signerOf, T0 } from "./fixtures.js";
import {
  type CrashPlan,
  emptyStore,
  fakePeerId,
  makeStores,
  signedBy,
  type TestStore,
  type WritePoint,
} from "./inproc.js";
import { Simulation } from "./simulation.js";

/*
 * The crash test: a validator crashes at every write of consensus state of one height (each WAL append and
 * each sign-state update, before it happens and right after it completes), restarts on the same store, and never
 * signs conflicting messages; the network commits on.
 *
 * Four validators run in this process as a deterministic simulation (simulation.ts): an in-memory network whose
 * messages, like every driver timer, are events on a virtual clock, run one at a time, each once all nodes have
 * finished with the one before. So a run is a function of its schedule: a clean run lists the victim's writes of
 * height H, the same list every time, and each crash run reaches the write it crashes at. There, the victim crashes
 * and restarts at once on its store (a new ledger, mempool and driver, whose start() replays the WAL); the run checks
 * that all four reach H + 2 with identical blocks, that everything the victim published in both lives agrees per
 * (height, round, step), and that no node saw duplicate-vote evidence (crash-scenario.ts).
 */

const H = 2;
/** Virtual time: no real wait, so a generous bound costs nothing when a run goes well. */
const BOUND_MS = 60_000;
const START = T0 + 60_000;
/** Event loop turns a driver is given to handle an input that should wait (it takes a few when it does not). */
const HANDLING_TURNS = 1000;

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

const scenario = (victim: string, plan: CrashPlan | null): CrashScenario => ({
  genesis,
  driver: DRIVER,
  start: START,
  height: H,
  target: H + 2,
  boundMs: BOUND_MS,
  victim,
  plan,
});

const labels = (points: readonly WritePoint[]) => points.map((p) => `${p.op} ${p.height} ${p.label}`);

describe("a validator that crashes at each consensus write of a height", () => {
  let stores: TestStore[] = [];
  const run = (victim: string, plan: CrashPlan | null): Promise<CrashOutcome> =>
    runCrashScenario(stores, scenario(victim, plan));

  before(async () => {
    stores = await makeStores(AGENCIES.length);
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
      const clean = await run(victim, null);
      const points = clean.trace;
      assert.deepEqual(labels((await run(victim, null)).trace), labels(points), "two clean runs write alike");
      for (const op of ["appendWal", "setSignState"])
        assert.ok(
          points.some((p) => p.op === op),
          `the clean run has ${op} points at height ${H}: ${points.map((p) => p.label).join(", ")}`,
        );
      t.diagnostic(`${victim}: ${points.length} writes at height ${H}`);
      for (const [i, p] of points.entries()) t.diagnostic(`  ${i + 1}. ${p.label} (${p.op})`);

      const spans: number[] = [];
      for (const [i, point] of points.entries()) {
        const index = i + 1;
        for (const phase of ["before", "after"] as const) {
          const outcome = await run(victim, { height: H, index, phase });
          spans.push(outcome.virtualMs);
          const where = `crash ${phase} write ${index} (${point.label})`;
          assert.deepEqual(outcome.crashedAt, point, `${where}: the run crashed there`);
          // Up to the crash, the crash run wrote what the clean run wrote.
          assert.deepEqual(
            labels(outcome.trace),
            labels(points.slice(0, index)),
            `${where}: the writes before it`,
          );
        }
      }
      t.diagnostic(
        `crashed before and after each of the ${points.length} writes: ${2 * points.length} runs, ` +
          `${Math.min(...spans)}-${Math.max(...spans)} virtual ms each (the clean run ${clean.virtualMs})`,
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
    const sim = new Simulation(START);
    const vote = signVote(createHasher(genesis.hashAlgorithm), signerOf(other), genesis.chainId, {
      type: "prevote",
      height: 1,
      round: 0,
      blockHash: null,
      validator: other,
      time: START,
    });
    await test.store.consensus.appendWal(encodeWalInput({ kind: "vote", vote, time: START }));
    try {
      const node = await sim.boot({
        agency,
        identity: { agency, signer: signerOf(agency) },
        store: test.store,
        genesis,
        driver: DRIVER,
        countHeight: 1,
      });
      // Alone it cannot commit, but running height 1 it prevotes nil once its propose timeout passes.
      await sim.runUntil(
        "vote at height 1 from the restarted validator",
        () => signedBy(sim.hub.published, agency).votes.some((v) => v.height === 1),
        () =>
          `published ${sim.hub.published.length}, WAL ${node.crashable.history.map((p) => p.label).join(" | ")}`,
        BOUND_MS,
      );
    } finally {
      await sim.close();
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
    const t0 = START;
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

    const sim = new Simulation(t4 + 10);
    let injected = false;
    try {
      const node = await sim.boot({
        agency,
        identity: { agency, signer: signerOf(agency) },
        store: test.store,
        genesis,
        driver: DRIVER,
        countHeight: 1,
        async beforeWrite(self, point) {
          if (injected || point.label !== "sign prevote r0") return;
          injected = true;
          // z's prevote arrives now, while the replay waits for this write; give it the event loop turns a driver
          // would need to handle it (one that holds live input until the replay is done never does here).
          const before = self.driver.counters.inputs;
          self.endpoint.deliver("votes", encodeVote(prevote(z, hash, sim.clock.now())), fakePeerId(z));
          for (let turn = 0; turn < HANDLING_TURNS && self.driver.counters.inputs === before; turn++)
            await new Promise((r) => setImmediate(r));
        },
      });
      // Five replayed inputs, z's prevote and the start submitted after the replay: all handled.
      await sim.runUntil(
        "handling of the replay and z's prevote",
        () => node.driver.counters.inputs >= 7,
        () =>
          `published ${sim.hub.published.length}; writes ${node.crashable.history.map((p) => p.label).join(" | ")}`,
        BOUND_MS,
      );
      assert.ok(injected, "z's prevote was sent during the replay");
      const { votes } = signedBy(sim.hub.published, agency);
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
      await sim.close();
    }
  });
});
