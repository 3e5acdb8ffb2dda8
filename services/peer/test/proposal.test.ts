import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  blockHash,
  type CommitCertificate,
  type CommittedBlock,
  createVerifier,
  derivedId,
  keys,
  type Ledger,
  type TxBody,
  type TxKind,
  type TxPayloads,
  voteSignBytes,
} from "@coken/ledger";
import { createCachingVerifier } from "../src/caching-verifier.js";
import { MAX_DEFERRALS, Mempool } from "../src/mempool.js";
import { proposalOrder } from "../src/proposal-order.js";
import { AGENCIES, newLedger, signerOf, T0 } from "./fixtures.js";

const OWNER = "sh.land-registry";
const DAY = 86_400_000;
// Shared as a peer shares one: scenarios replaying the same signed txs check each signature once.
const verifier = createCachingVerifier(createVerifier());

/**
 * One validator's view: a ledger and its mempool, proposing and committing blocks as the driver does
 * (`Mempool.propose` over `Ledger.proposeBlock`), with every validator signing each block's certificate.
 */
class Proposer {
  readonly ledger: Ledger = newLedger(verifier);
  readonly pool: Mempool;
  /** Every tx outcome of every committed block, in order. */
  readonly committed: { kind: TxKind; sender: string; code: string | null }[] = [];
  private lastCommit: CommitCertificate | null = null;

  constructor(private readonly maxTxs = 100) {
    this.pool = new Mempool(this.ledger, verifier, undefined, () => this.ledger.head.time);
  }

  sign<K extends TxKind>(sender: string, seq: number, kind: K, payload: TxPayloads[K]): Uint8Array {
    const body = { chain: this.ledger.head.chain, kind, sender, seq, payload } as TxBody;
    return this.ledger.signTx(signerOf(sender), body);
  }

  /** Proposes the next block; `tried` gets the code of each try, in order. */
  propose(tried: (string | null)[] = []): Block {
    return this.pool.propose(1 << 20, this.maxTxs, (candidates) => {
      const proposal = this.ledger.proposeBlock({
        candidates,
        time: this.ledger.head.time + 1000,
        proposer: OWNER,
        lastCommit: this.lastCommit,
      });
      tried.push(...proposal.tried.map((t) => t.code));
      return proposal;
    });
  }

  commit(block: Block): CommittedBlock {
    const done = this.ledger.apply(block);
    this.lastCommit = certify(this.ledger, block);
    this.pool.update(done);
    for (const t of done.outcome.txs) {
      if (t.tx !== null)
        this.committed.push({ kind: t.tx.body.kind, sender: t.tx.body.sender, code: t.code });
    }
    return done;
  }
}

/** Every validator's precommit for `block`, ascending by id. */
function certify(ledger: Ledger, block: Block): CommitCertificate {
  const h = ledger.hasher;
  const hash = blockHash(h, block.header);
  const { height, chain, time } = block.header;
  return {
    height,
    round: 0,
    blockHash: hash,
    signatures: [...AGENCIES].sort().map((validator) => {
      const msg = voteSignBytes(h, {
        chain,
        type: "precommit",
        height,
        round: 0,
        blockHash: hash,
        time: time + 1,
      });
      return { validator, time: time + 1, signature: signerOf(validator).sign(msg) };
    }),
  };
}

const dataset = (id: string): TxPayloads["dataset.publish"] => ({
  id,
  title: "Property ownership",
  description: "Registered owners of residential properties",
  fields: [
    { name: "ownerId", type: "string", indexed: true, personal: true },
    { name: "area", type: "decimal", indexed: false, personal: false },
  ],
  region: "CN-SH",
  tags: ["property"],
  updateFrequency: "daily",
  licence: "gov-internal-1.0",
  queryKinds: ["count", "membership"],
  price: 2n,
  commitment: null,
});

const grant = (expiresAt = T0 + DAY): TxPayloads["grant.issue"] => ({
  dataset: "ds-1",
  grantee: "bj.housing",
  queryKinds: ["count"],
  fields: ["area"],
  purpose: "housing subsidy checks",
  quota: 10,
  expiresAt,
});

/** Each way of placing `extra` around `base`, keeping `base` in order. */
function interleavings<T>(base: T[], extra: T[]): T[][] {
  if (extra.length === 0) return [base];
  const [first, ...rest] = extra as [T, ...T[]];
  return interleavings(base, rest).flatMap((order) =>
    Array.from({ length: order.length + 1 }, (_, i) => [...order.slice(0, i), first, ...order.slice(i)]),
  );
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

/**
 * Submits a burst in `order`, then proposes and commits blocks; a client re-submits what the mempool refused after
 * each commit (as a tx that did not fit the pending state yet). Returns the proposer once all are committed.
 */
function run(p: Proposer, order: Uint8Array[], maxBlocks = 6): Proposer {
  let waiting = order.filter((raw) => !p.pool.add(raw).ok);
  for (let i = 0; i < maxBlocks && (p.pool.size > 0 || waiting.length > 0); i++) {
    p.commit(p.propose());
    waiting = waiting.filter((raw) => !p.pool.add(raw).ok);
  }
  assert.equal(p.pool.size + waiting.length, 0, "every tx of the burst is committed");
  return p;
}

describe("proposalOrder", () => {
  const tx = (name: string, sender: string, kind: TxKind, size = 10) => ({
    name,
    sender,
    kind,
    raw: new Uint8Array(size),
  });
  const names = (order: { tx: { name: string }; atArrival: boolean }[]) =>
    order.map((c) => `${c.tx.name}${c.atArrival ? "" : "!"}`);

  it("tries priority txs first with their sender's earlier txs, then every tx where it arrived", () => {
    const pending = [
      tx("a0", "a", "credit.transfer"),
      tx("r0", "r", "credit.transfer"),
      tx("b0", "b", "governance.vote"),
      tx("r1", "r", "regulator.freeze"),
      tx("a1", "a", "credit.transfer"),
    ];
    assert.deepEqual(names(proposalOrder(pending, 1000, 100)), [
      "r0!",
      "r1!",
      "b0!",
      "a0",
      "r0",
      "b0",
      "r1",
      "a1",
    ]);
  });

  it("keeps distinct txs within the limits and stops at the first that does not fit", () => {
    const pending = [
      tx("a0", "a", "credit.transfer"),
      tx("a1", "a", "credit.transfer", 50),
      tx("r0", "r", "regulator.freeze"),
    ];
    assert.deepEqual(names(proposalOrder(pending, 1000, 2)), ["r0!", "a0"]);
    assert.deepEqual(names(proposalOrder(pending, 40, 100)), ["r0!", "a0"]);
    assert.deepEqual(names(proposalOrder(pending, 1000, 3)), ["r0!", "a0", "a1", "r0"]);
    assert.deepEqual(proposalOrder(pending, 5, 100), []);
  });
});

describe("proposals never fail a tx for the order they put it in", () => {
  it("a regulator's freeze of a grant issued just before it applies, whatever traffic surrounds it", () => {
    let orders = 0;
    const s = new Proposer();
    const id = derivedId(s.ledger.hasher, "grant", OWNER, 1);
    const txs = [
      s.sign(OWNER, 0, "dataset.publish", dataset("ds-1")),
      s.sign(OWNER, 1, "grant.issue", grant()),
      s.sign("regulator", 0, "regulator.freeze", { target: { kind: "grant", id }, reason: "audit" }),
      s.sign("gz.tax", 0, "credit.transfer", { to: "bj.housing", amount: 5n, memo: "" }),
      s.sign("bj.housing", 0, "credit.transfer", { to: "gz.tax", amount: 3n, memo: "" }),
    ];
    for (const [i, order] of interleavings([4, 0, 1, 2], [3]).entries()) {
      const p = new Proposer();
      for (const k of order) assert.equal(p.pool.add(txs[k] as Uint8Array).ok, true, `order ${i}: tx ${k}`);
      // The hazard: the priority order alone puts the freeze before the grant exists.
      const naive = p.ledger.execute(
        p.ledger.buildBlock({
          txs: p.pool.reap(1 << 20, 100),
          time: T0 + 1000,
          proposer: OWNER,
          lastCommit: null,
        }),
      );
      assert.ok(naive.txs.some((t) => t.code === "UNKNOWN_GRANT"));
      const block = p.propose();
      assert.equal(block.txs.length, 5);
      p.commit(block);
      assert.deepEqual(
        p.committed.map((t) => t.code),
        [null, null, null, null, null],
      );
      assert.notEqual(p.ledger.state.get(keys.freeze("grant", id)), undefined, "the grant is frozen");
      assert.equal(p.pool.size, 0);
      orders++;
    }
    assert.equal(orders, 5);
  });

  it("a freeze that arrives before its grant is refused at checkTx and applies once re-submitted", () => {
    const p = new Proposer();
    const id = derivedId(p.ledger.hasher, "grant", OWNER, 1);
    const freeze = p.sign("regulator", 0, "regulator.freeze", {
      target: { kind: "grant", id },
      reason: "audit",
    });
    assert.deepEqual(p.pool.add(freeze), { ok: false, reason: "UNKNOWN_GRANT" });
    run(p, [
      freeze,
      p.sign(OWNER, 0, "dataset.publish", dataset("ds-1")),
      p.sign(OWNER, 1, "grant.issue", grant()),
    ]);
    assert.ok(p.committed.every((t) => t.code === null));
    assert.deepEqual(
      p.committed.map((t) => t.kind),
      ["dataset.publish", "grant.issue", "regulator.freeze"],
    );
  });

  it("a transfer funded by one received in the same window applies, in every arrival order", () => {
    // B starts with 1000: B→C of 1500 only fits after A→B. With B the regulator, its own later freeze pulls B→C
    // ahead of A→B in the proposal order.
    for (const b of ["bj.housing", "regulator"]) {
      const s = new Proposer();
      const txs = [
        s.sign(OWNER, 0, "credit.transfer", { to: b, amount: 1000n, memo: "" }),
        s.sign(b, 0, "credit.transfer", { to: "gz.tax", amount: 1500n, memo: "" }),
        b === "regulator"
          ? s.sign(b, 1, "regulator.freeze", { target: { kind: "account", id: OWNER }, reason: "audit" })
          : s.sign("gz.tax", 0, "credit.transfer", { to: b, amount: 7n, memo: "" }),
      ];
      for (const order of permutations([0, 1, 2])) {
        const p = new Proposer();
        run(
          p,
          order.map((k) => txs[k] as Uint8Array),
        );
        assert.deepEqual(
          p.committed.filter((t) => t.code !== null),
          [],
          `B=${b}, order ${order.join("")}`,
        );
        assert.equal(p.committed.length, 3);
        assert.equal(p.ledger.state.get(keys.account("gz.tax"))?.balance, b === "regulator" ? 2500n : 2493n);
      }
    }
  });

  it("a priority tx whose dependency waits behind a full queue is tried where it arrived, not dropped", () => {
    const p = new Proposer(2);
    const id = derivedId(p.ledger.hasher, "grant", OWNER, 1);
    const queue = [0, 1, 2, 3, 4, 5].map((seq) =>
      p.sign("gz.tax", seq, "credit.transfer", { to: "bj.housing", amount: 1n, memo: "" }),
    );
    run(
      p,
      [
        ...queue,
        p.sign(OWNER, 0, "dataset.publish", dataset("ds-1")),
        p.sign(OWNER, 1, "grant.issue", grant()),
        p.sign("regulator", 0, "regulator.freeze", { target: { kind: "grant", id }, reason: "audit" }),
      ],
      12,
    );
    assert.ok(p.committed.every((t) => t.code === null));
    assert.equal(p.committed.at(-1)?.kind, "regulator.freeze");
    assert.equal(p.pool.rejected.get("DEFERRED"), undefined);
  });

  it("a tx that passes checkTx but fails where it arrived is left out of every proposal, then dropped", () => {
    const p = new Proposer();
    run(p, [p.sign(OWNER, 0, "dataset.publish", dataset("ds-1"))]);
    // checkTx runs at head time + 1 and the block comes 1000 ms later: a grant expiring in between fails there.
    const doomed = p.sign(OWNER, 1, "grant.issue", grant(p.ledger.head.time + 500));
    const behind = p.sign(OWNER, 2, "credit.transfer", { to: "gz.tax", amount: 1n, memo: "" });
    const other = p.sign("gz.tax", 0, "credit.transfer", { to: OWNER, amount: 1n, memo: "" });
    for (const raw of [doomed, behind, other]) assert.equal(p.pool.add(raw).ok, true);
    // Rounds of one height that decide nothing: this node proposes again each time, leaving the grant out (and the
    // transfer queued behind it, whose sequence number no longer fits) at the cost of one try each.
    let block: Block | null = null;
    for (let round = 0; round < MAX_DEFERRALS; round++) {
      const tried: (string | null)[] = [];
      block = p.propose(tried);
      assert.deepEqual(tried, ["INVALID_FIELD", "BAD_SEQUENCE", null]);
      assert.equal(block.txs.length, 1);
      assert.equal(p.pool.size, 3);
    }
    const before = p.committed.length;
    p.commit(block as Block);
    assert.equal(p.pool.size, 0);
    // The transfer was left out as often, for its sequence number: it goes with the grant.
    assert.equal(p.pool.rejected.get("DEFERRED"), 2);
    assert.equal(p.pool.rejected.get("INVALIDATED"), undefined);
    assert.deepEqual(
      p.committed.slice(before).map((c) => [c.sender, c.code]),
      [["gz.tax", null]],
    );
  });

  it("the proposal's outcome, kept for commit, is what executing its block gives", () => {
    const p = new Proposer();
    const id = derivedId(p.ledger.hasher, "grant", OWNER, 1);
    const txs = [
      p.sign(OWNER, 0, "dataset.publish", dataset("ds-1")),
      p.sign(OWNER, 1, "grant.issue", grant()),
      p.sign("regulator", 0, "regulator.freeze", { target: { kind: "grant", id }, reason: "audit" }),
      p.sign("gz.tax", 0, "credit.transfer", { to: "bj.housing", amount: 5n, memo: "" }),
    ];
    for (const raw of txs) assert.equal(p.pool.add(raw).ok, true);
    const tried: (string | null)[] = [];
    const block = p.propose(tried);
    // The freeze was tried first (refused, changing nothing) and again where it arrived.
    assert.deepEqual(tried, ["UNKNOWN_GRANT", null, null, null, null]);
    const fresh = newLedger().execute(block);
    assert.deepEqual(p.ledger.execute(block), fresh);
    assert.equal(fresh.txs.length, 4);
  });
});
