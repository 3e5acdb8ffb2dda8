import assert from "node:assert/strict";
import { bytesEqual, type Genesis, toHex } from "@coken/ledger";
import type { DriverOptions } from "../src/driver.js";
import { AGENCIES, signerOf } from "./fixtures.js";
import {
  type CrashPlan,
  emptyStore,
  type Incarnation,
  signedBy,
  type TestStore,
  type WritePoint,
} from "./inproc.js";
import { withMemoryConsensus } from "./memory-consensus.js";
import { Simulation } from "./simulation.js";

/** What one crash scenario runs: `victim` crashes per `plan` (if any) at a write of `height`. */
export interface CrashScenario {
  genesis: Genesis;
  driver: DriverOptions;
  /** The virtual clock's start. */
  start: number;
  /** The height whose writes are counted and crashed at; the run goes on until every node has committed `target`. */
  height: number;
  target: number;
  /** The most virtual time each phase of the run (up to the crash, then up to `target`) may take. */
  boundMs: number;
  victim: string;
  plan: CrashPlan | null;
}

export interface CrashOutcome {
  /** The victim's counted writes of the height in its first life (up to the crash). */
  trace: WritePoint[];
  crashedAt: WritePoint | null;
  /** Virtual time from the first boot until every node reached the target. */
  virtualMs: number;
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

/**
 * One run from genesis, simulated (virtual clock, one event at a time): boot the four validators, crash the victim
 * per the plan (if any), restart it at once on its store, run on until all four reach the target, and check
 * everything: same blocks with certificates, nothing conflicting signed by the victim across its lives, no evidence.
 * Each node's ledger is in its PGlite store, and so are the victim's WAL and sign state.
 */
export async function runCrashScenario(stores: TestStore[], s: CrashScenario): Promise<CrashOutcome> {
  await Promise.all(stores.map(emptyStore));
  const sim = new Simulation(s.start);
  const current = new Map<string, Incarnation>();
  let crash: { old: Incarnation; point: WritePoint } | null = null;

  const boot = async (agency: string, index: number, plan: CrashPlan | null) => {
    const store = stores[index]?.store;
    if (store === undefined) throw new Error(`no store for ${agency}`);
    const node = await sim.boot({
      agency,
      identity: { agency, signer: signerOf(agency) },
      // Only the victim restarts: the others keep their WAL and sign state in memory, which halves a run's cost.
      store: agency === s.victim ? store : withMemoryConsensus(store),
      genesis: s.genesis,
      driver: s.driver,
      countHeight: s.height,
      plan,
      onCrash: (old, point) => {
        crash = { old, point };
      },
    });
    current.set(agency, node);
    return node;
  };
  const heads = () => [...current.values()].map((n) => n.chain.ledger.head.height);
  const seen = () =>
    `virtual time +${sim.clock.now() - s.start} ms, heads ${heads().join(",")}\n${describeNodes(sim.lives)}`;
  const plan = s.plan;

  try {
    // One after the other, each settled before the next boots: the order of their first timers is fixed.
    for (const [index, agency] of AGENCIES.entries())
      await boot(agency, index, agency === s.victim ? plan : null);
    const first = current.get(s.victim) as Incarnation;

    await sim.runUntil(
      plan ? `crash at write ${plan.index} (${plan.phase})` : `height ${s.target}`,
      () => crash !== null || heads().every((h) => h >= s.target),
      seen,
      s.boundMs,
    );

    const crashed = crash as { old: Incarnation; point: WritePoint } | null;
    if (crashed !== null) {
      // The old process is gone: its driver halted on the crash. A new process starts on the same store, at once.
      await crashed.old.driver.stop();
      assert.ok(crashed.old.driver.halted instanceof Error, "the crashed driver halted");
      assert.equal((crashed.old.driver.halted as Error).name, "CrashError");
      await boot(s.victim, AGENCIES.indexOf(s.victim), null);
    }

    // (1) The network commits on: all four, the restarted victim too, reach the target.
    await sim.runUntil(
      `all four at height ${s.target}`,
      () => heads().every((h) => h >= s.target),
      seen,
      s.boundMs,
    );
    for (const node of current.values())
      assert.equal(node.driver.halted, null, `${node.agency} halted: ${String(node.driver.halted)}`);

    // (2) Every height holds the same block on every node.
    const chains = await Promise.all(stores.map((t) => t.store.ledger.listBlocks(1, s.target)));
    for (let height = 1; height <= s.target; height++) {
      const blocks = chains.map((chain) => chain.find((b) => b.height === height));
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
    const { raw, votes } = signedBy(sim.hub.published, s.victim);
    for (const [key, list] of raw) {
      const firstBytes = list[0] as Uint8Array;
      const differing = list.filter((b) => !bytesEqual(b, firstBytes));
      assert.equal(
        differing.length,
        0,
        `${s.victim} signed ${list.length} messages at ${key}, not all the same`,
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
      assert.equal(conflicting, undefined, `${s.victim} double-voted at ${v.height}/${v.round}/${v.type}`);
    }

    // (4) Nobody found duplicate-vote evidence (against the victim or anyone), nor invalid data.
    const evidence = sim.lives.reduce((sum, n) => sum + n.driver.counters.evidence, 0);
    assert.equal(evidence, 0, "duplicate-vote evidence was raised");
    assert.equal(sim.hub.published.filter((p) => p.topic === "evidence").length, 0, "evidence was gossiped");
    for (const n of sim.lives)
      assert.equal(
        n.log.filter((l) => l.msg === "evidence received" || l.msg === "duplicate vote evidence").length,
        0,
        `${n.agency} logged evidence`,
      );
    assert.deepEqual(sim.hub.invalid, [], "no peer reported invalid data");
    assert.deepEqual(sim.hub.handlerErrors, [], "no gossip handler threw");

    return {
      trace: first.crashable.trace,
      crashedAt: crashed?.point ?? null,
      virtualMs: sim.clock.now() - s.start,
    };
  } catch (e) {
    throw new Error(
      `${plan ? `crash plan ${JSON.stringify(plan)}` : "clean run"}: ${(e as Error).message}\n${seen()}`,
      { cause: e },
    );
  } finally {
    await sim.close();
  }
}
