import { type Block, blockHash, type CommitCertificate, toHex, verifyCommit } from "@coken/ledger";
import {
  type ConsensusMessage,
  type DuplicateVoteEvidence,
  type ValidatorInfo,
  verifyEvidence,
} from "../../src/index.js";
import { CHAIN, hasher, testConfig, validatorInfos } from "../helpers.js";
import { buildBlock, genesisHead, validatorSetOf } from "./app.js";
import { type Attack, adversary } from "./attacks.js";
import { type Behaviour, broadcaster } from "./byzantine.js";
import { type ConsensusCore, REAL_CORE } from "./core.js";
import { LockWatch } from "./locks.js";
import { type Broadcast, type LocalEvent, type Packet, SimNode } from "./node.js";
import { Prng } from "./prng.js";
import { EventQueue } from "./queue.js";
import { simVerifier as verifier } from "./verifier.js";

/** One simulated run: the network, the faults and how far to go. */
export interface Scenario {
  seed: number;
  /** Genesis power per node; 0 leaves a node out of the set (it follows as an observer until a change adds it). */
  powers: number[];
  /** Scripted governance: the block at `height` changes the set to `powers` (per node, 0 = out), in force at +2. */
  validatorChanges?: { height: number; powers: number[] }[];
  behaviours: Behaviour[];
  targetHeight: number;
  network: { minDelayMs: number; maxDelayMs: number; drop: number; duplicate: number };
  /** Each window cuts the nodes into groups that cannot talk until it heals. */
  partitions: { atMs: number; healMs: number; groups: number[][] }[];
  crashes: { node: number; atMs: number; restartMs: number }[];
  /** The scripted attack of the node whose behaviour is an attack kind (attacks.ts). */
  attack?: Attack;
  gossipIntervalMs: number;
  /** Simulated time by which every honest node must have reached the target height. */
  limitMs: number;
}

export interface Outcome {
  /** Height → block hash decided by honest nodes; a second hash at a height is a safety violation. */
  decided: Map<number, string>;
  violations: string[];
  /** Prevotes of honest nodes against their lock without a proof of lock (locks.ts). */
  unjustifiedPrevotes: string[];
  /** Certificates from `commit` effects that the ledger's verifyCommit refused. */
  badCertificates: number;
  heights: number[];
  /** When an honest node first committed a block, and when every honest node had reached the target height. */
  firstCommitAtMs: number | null;
  finishedAtMs: number | null;
  evidence: { node: number; evidence: DuplicateVoteEvidence }[];
  /** Evidence items committed in blocks, as hex. */
  committedEvidence: Set<string>;
  /** Evidence that failed `verifyEvidence` (must stay 0). */
  badEvidence: number;
  commitsBySync: number;
  /** Highest round at which an honest node decided by consensus. */
  maxDecisionRound: number;
  /** Restarts that rebuilt the state by replaying the WAL, and how many of them did not match the state at the crash. */
  replays: number;
  replayMismatches: string[];
  events: number;
}

/** The parts of a node's state a replay must reproduce. */
function fingerprint(n: SimNode): string {
  const st = n.state;
  return JSON.stringify([
    st.status,
    st.height,
    st.round,
    st.step,
    st.lockedRound,
    st.lockedValue?.key ?? null,
    st.validRound,
    st.validValue?.key ?? null,
    [...st.log.entries()].map(([r, m]) => [r, m.proposals.length, m.prevote.total, m.precommit.total]),
  ]);
}

type WorldEvent =
  | { kind: "deliver"; to: number; from: number; packet: Packet }
  | { kind: "local"; node: number; incarnation: number; event: LocalEvent }
  | { kind: "crash"; node: number }
  | { kind: "restart"; node: number }
  | { kind: "partition"; groups: number[][] }
  | { kind: "heal" };

/**
 * Runs a scenario to the target height or the time limit, deterministically from its seed. Every node runs `core`
 * (the real one unless a mutation test passes a broken copy).
 */
export function runScenario(s: Scenario, core: ConsensusCore = REAL_CORE): Outcome {
  const rng = new Prng(s.seed);
  const names = s.powers.map((_, i) => `v${i}`);
  const setOf = (powers: number[]) => validatorInfos(names, powers).filter((v) => v.power > 0);
  const validators: ValidatorInfo[] = setOf(s.powers);
  const genesis = genesisHead(
    validators,
    new Map(s.validatorChanges?.map((c) => [c.height, setOf(c.powers)])),
  );
  const queue = new EventQueue<WorldEvent>();
  let now = 0;
  let partition: number[] | null = null; // group index per node
  const honest = (i: number) => s.behaviours[i] === "honest";
  const out: Outcome = {
    decided: new Map(),
    violations: [],
    unjustifiedPrevotes: [],
    badCertificates: 0,
    heights: [],
    firstCommitAtMs: null,
    finishedAtMs: null,
    evidence: [],
    committedEvidence: new Set(),
    badEvidence: 0,
    commitsBySync: 0,
    maxDecisionRound: 0,
    replays: 0,
    replayMismatches: [],
    events: 0,
  };
  const atCrash = new Map<number, string>();

  const hold = adversary(s.behaviours, s.attack);
  const send = (from: number, to: number, packet: Packet) => {
    if (partition !== null && partition[from] !== partition[to]) return;
    if (rng.chance(s.network.drop)) return;
    const copies = rng.chance(s.network.duplicate) ? 2 : 1;
    const leaves = hold === null ? now : hold(from, to, packet, now);
    for (let c = 0; c < copies; c++) {
      queue.push(leaves + rng.int(s.network.minDelayMs, s.network.maxDelayMs), {
        kind: "deliver",
        to,
        from,
        packet,
      });
    }
  };
  const wire = { rng, peers: (i: number) => names.map((_, j) => j).filter((j) => j !== i), send };

  const env = {
    genesis,
    targetHeight: s.targetHeight,
    gossipIntervalMs: s.gossipIntervalMs,
    now: () => now,
    later: (node: number, delayMs: number, event: LocalEvent) => {
      const incarnation = nodes[node]?.incarnation ?? 0;
      queue.push(now + delayMs, { kind: "local", node, incarnation, event });
    },
    committed: (node: number, block: Block, certificate: CommitCertificate, via: "consensus" | "sync") => {
      if (via === "sync") out.commitsBySync++;
      const hash = blockHash(hasher, block.header);
      const expected = { height: block.header.height, blockHash: hash };
      const set = validatorSetOf(genesis, block.header.height);
      if (!verifyCommit(hasher, verifier, CHAIN, certificate, expected, set).ok) {
        out.badCertificates++;
      }
      if (!honest(node)) return;
      out.firstCommitAtMs ??= now;
      if (via === "consensus") out.maxDecisionRound = Math.max(out.maxDecisionRound, certificate.round);
      for (const raw of block.evidence) out.committedEvidence.add(toHex(raw));
      const key = toHex(hash);
      const seen = out.decided.get(block.header.height);
      if (seen === undefined) out.decided.set(block.header.height, key);
      else if (seen !== key)
        out.violations.push(`height ${block.header.height}: ${seen} and ${key} (node ${node})`);
    },
    evidence: (node: number, evidence: DuplicateVoteEvidence) => {
      const set = validatorSetOf(genesis, evidence.voteA.height);
      if (!verifyEvidence(hasher, verifier, CHAIN, evidence, set).ok) out.badEvidence++;
      out.evidence.push({ node, evidence });
    },
  };

  const build = (node: SimNode, height: number): Block => {
    const last = node.chain[height - 2]?.certificate ?? null;
    const evidence = [...node.pendingEvidence.values()];
    return buildBlock(node.head, node.agency, now, node.head.validators, last, evidence);
  };

  const locks = new LockWatch();
  const watched = (i: number, cast: Broadcast): Broadcast =>
    honest(i)
      ? (node: SimNode, m: ConsensusMessage, resend: boolean) => {
          const wrong = resend ? null : locks.check(node, m);
          if (wrong !== null) out.unjustifiedPrevotes.push(wrong);
          cast(node, m, resend);
        }
      : cast;

  const nodes: SimNode[] = names.map(
    (name, i) =>
      new SimNode(
        i,
        { ...testConfig(name, validators), verifier },
        env,
        watched(i, broadcaster(s.behaviours[i] ?? "honest", wire, s.attack)),
        send,
        core,
      ),
  );

  for (const p of s.partitions) {
    queue.push(p.atMs, { kind: "partition", groups: p.groups });
    queue.push(p.healMs, { kind: "heal" });
  }
  for (const c of s.crashes) {
    queue.push(c.atMs, { kind: "crash", node: c.node });
    queue.push(c.restartMs, { kind: "restart", node: c.node });
  }
  for (const n of nodes) n.boot();

  const done = () => nodes.every((n, i) => !honest(i) || n.head.height >= s.targetHeight);
  for (;;) {
    if (done()) {
      out.finishedAtMs = now;
      break;
    }
    const next = queue.pop();
    if (next === undefined || next.time > s.limitMs) break;
    now = next.time;
    out.events++;
    const e = next.event;
    switch (e.kind) {
      case "deliver": {
        const to = nodes[e.to] as SimNode;
        if (!to.down)
          to.receive(e.from, e.packet, s.behaviours[e.to] !== "withhold" && s.behaviours[e.to] !== "silent");
        break;
      }
      case "local": {
        const n = nodes[e.node] as SimNode;
        if (!n.down && n.incarnation === e.incarnation) n.local(e.event, build);
        break;
      }
      case "crash": {
        const n = nodes[e.node] as SimNode;
        atCrash.set(e.node, fingerprint(n));
        n.crash();
        break;
      }
      case "restart": {
        const n = nodes[e.node] as SimNode;
        const start = n.wal.find((i) => i.kind === "start");
        const replaying = start !== undefined && start.height > n.head.height;
        n.restart();
        if (replaying) {
          out.replays++;
          const before = atCrash.get(e.node);
          if (before !== fingerprint(n))
            out.replayMismatches.push(`node ${e.node}: ${before} → ${fingerprint(n)}`);
        }
        break;
      }
      case "partition":
        partition = names.map((_, i) => e.groups.findIndex((g) => g.includes(i)));
        break;
      case "heal":
        partition = null;
        break;
    }
  }
  out.heights = nodes.map((n) => n.head.height);
  return out;
}
