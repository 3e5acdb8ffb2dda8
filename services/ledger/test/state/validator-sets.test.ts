import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  BlockError,
  CommittedState,
  createVerifier,
  decodeBlock,
  derivedId,
  encodeBlock,
  encodeRecord,
  type GovernanceAction,
  keys,
  Ledger,
  parseGenesis,
  toHex,
  type Validator,
  validatorSetAt,
  validatorsHash,
} from "../../src/index.js";
import { certify, Scenario, testGenesisDoc, testSigner } from "../fixtures.js";

/*
 * Validator-set changes take effect two heights after the block that executes them (ledger §13.5): the set of
 * height h + 1 is fixed before block h is decided.
 */

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";
const TAX = "gz.tax";
const REGULATOR = "regulator";
/** Holds the validator role but is not in the genesis set. */
const NEWCOMER = "hz.courts";
const GENESIS_SET = [ASKER, TAX, REGULATOR, OWNER];

function genesisDoc(): Record<string, unknown> {
  const doc = testGenesisDoc();
  const agencies = doc.agencies as Record<string, unknown>[];
  agencies.push({
    id: NEWCOMER,
    name: "Hangzhou courts",
    region: "CN-ZJ",
    publicKey: toHex(testSigner(NEWCOMER).publicKey),
    keyScheme: "ed25519",
    roles: ["validator", "member"],
    balance: "0",
  });
  return doc;
}

const newScenario = () => new Scenario(parseGenesis(genesisDoc()));
const set = (...agencies: string[]): Validator[] => agencies.map((agency) => ({ agency, power: 10 }));
const names = (vs: readonly { agency: string }[] | undefined) => vs?.map((v) => v.agency) ?? [];
const members = (s: Scenario) => names(s.ledger.state.get(keys.validators)?.validators);

/** Txs that propose `action` as OWNER and approve it with ASKER and TAX: 30 of 40, so it executes in their block. */
function passing(s: Scenario, action: GovernanceAction): Uint8Array[] {
  const seq = s.nextSeq(OWNER);
  const proposal = derivedId(s.ledger.hasher, "proposal", OWNER, seq);
  return [
    s.tx(OWNER, "governance.propose", { action }, { seq }),
    s.tx(ASKER, "governance.vote", { proposal, approve: true }),
    s.tx(TAX, "governance.vote", { proposal, approve: true }),
  ];
}

const change = (validators: Validator[]) => ({ type: "validators.set" as const, validators });

/** An empty next block of `proposer` carrying the head's certificate, without advancing the scenario's clock. */
const draft = (s: Scenario, proposer: string, lastCommit = s.lastCommit): Block =>
  s.ledger.buildBlock({ txs: [], time: s.time + 1000, proposer, lastCommit });

/** Executes `block` on the head and expects the block error `code` (and certificate refusal `commitCode`). */
function refused(s: Scenario, block: Block, code: string, commitCode: string | null = null): void {
  assert.throws(
    () => s.ledger.execute(block),
    (e: unknown) => e instanceof BlockError && e.code === code && e.commitCode === commitCode,
  );
}

describe("validator-set changes take effect at h + 2", () => {
  it("keeps the old set for h + 1 and puts the new one in force at h + 2", () => {
    const s = newScenario();
    const next = set(ASKER, TAX, NEWCOMER, OWNER); // regulator out, newcomer in
    assert.deepEqual(s.commit(passing(s, change(next))), [null, null, null]); // block 1
    assert.deepEqual(members(s), GENESIS_SET);
    assert.deepEqual(s.ledger.state.get(keys.nextvalidators(3))?.validators, next);
    assert.deepEqual(names(validatorSetAt(s.ledger.state, 1, 2)), GENESIS_SET);
    assert.deepEqual(validatorSetAt(s.ledger.state, 1, 3), next);
    assert.throws(() => validatorSetAt(s.ledger.state, 1, 4), RangeError);

    // Block 2 names and is signed by the genesis set; the regulator still votes, the newcomer not yet.
    const b2 = s.block([
      s.tx(NEWCOMER, "governance.propose", { action: { type: "params.set", params: { proposalTtl: 5 } } }),
      s.tx(REGULATOR, "governance.propose", { action: { type: "params.set", params: { proposalTtl: 6 } } }),
    ]);
    assert.equal(
      toHex(b2.header.validatorsHash),
      toHex(validatorsHash(s.ledger.hasher, set(...GENESIS_SET))),
    );
    assert.deepEqual(names(s.ledger.nextValidators()), GENESIS_SET);
    assert.deepEqual(
      s.commitBlock(b2).outcome.txs.map((t) => t.code),
      ["NOT_AUTHORIZED", null],
    );
    assert.deepEqual(names(s.ledger.head.validators), GENESIS_SET);

    // After block 2 the new set is the `validators` record and nothing is scheduled any more.
    assert.deepEqual(s.ledger.state.get(keys.validators)?.validators, next);
    assert.equal(s.ledger.state.get(keys.nextvalidators(3)), undefined);
    const b3 = s.block([
      s.tx(NEWCOMER, "governance.propose", { action: { type: "params.set", params: { proposalTtl: 5 } } }),
      s.tx(REGULATOR, "governance.propose", { action: { type: "params.set", params: { proposalTtl: 6 } } }),
    ]);
    assert.equal(toHex(b3.header.validatorsHash), toHex(validatorsHash(s.ledger.hasher, next)));
    assert.deepEqual(
      s.commitBlock(b3).outcome.txs.map((t) => t.code),
      [null, "NOT_AUTHORIZED"],
    );
    assert.deepEqual(names(s.ledger.head.validators), names(next));
    // Block 4 carries block 3's certificate by the new set, the newcomer's precommit included.
    assert.ok(s.lastCommit?.signatures.some((sig) => sig.validator === NEWCOMER));
    s.commit([]);
    assert.equal(s.ledger.head.height, 4);
  });

  it("never uses the scheduled set early: header, proposer and certificates of h + 1 answer to the old set", () => {
    const s = newScenario();
    const next = set(ASKER, TAX, NEWCOMER, OWNER);
    s.commit(passing(s, change(next))); // block 1 schedules `next` for height 3

    const early = draft(s, OWNER);
    const namingNext = { ...early.header, validatorsHash: validatorsHash(s.ledger.hasher, next) };
    refused(s, { ...early, header: namingNext }, "WRONG_VALIDATORS_HASH");
    refused(s, draft(s, NEWCOMER), "UNKNOWN_PROPOSER");
    assert.deepEqual(s.ledger.verifyNextCommit(certify(s.ledger, names(next), early), early), {
      ok: false,
      reason: "UNKNOWN_VALIDATOR",
    });

    const b2 = s.block([]);
    s.commitBlock(b2);
    // Block 3 must carry block 2's certificate by the genesis set, whatever the set of block 3 is.
    refused(
      s,
      draft(s, NEWCOMER, certify(s.ledger, names(next), b2)),
      "INVALID_LAST_COMMIT",
      "UNKNOWN_VALIDATOR",
    );
    // Under the genesis set the regulator's precommit counts for block 2: with two others it makes a quorum.
    s.ledger.execute(draft(s, NEWCOMER, certify(s.ledger, [ASKER, REGULATOR, OWNER], b2)));

    // At height 3 the removed regulator no longer counts and the newcomer does.
    const b3 = s.block([], NEWCOMER);
    assert.deepEqual(s.ledger.verifyNextCommit(certify(s.ledger, [ASKER, TAX, REGULATOR, OWNER], b3), b3), {
      ok: false,
      reason: "UNKNOWN_VALIDATOR",
    });
    assert.deepEqual(s.ledger.verifyNextCommit(certify(s.ledger, [ASKER, NEWCOMER, OWNER], b3), b3), {
      ok: true,
      power: 30,
      total: 40,
    });
  });

  it("puts changes of consecutive blocks in force at consecutive heights, and the last of one block wins", () => {
    const s = newScenario();
    const a = set(ASKER, TAX, OWNER);
    const b = [...set(ASKER, TAX, NEWCOMER), { agency: OWNER, power: 20 }];
    const c = set(ASKER, NEWCOMER, OWNER);
    s.commit(passing(s, change(a))); // block 1: a for height 3
    // Block 2: b then c, both for height 4; c was executed last.
    assert.deepEqual(s.commit([...passing(s, change(b)), ...passing(s, change(c))]), Array(6).fill(null));
    assert.deepEqual(members(s), names(a));
    assert.deepEqual(s.ledger.state.get(keys.nextvalidators(4))?.validators, c);
    assert.equal(s.ledger.state.get(keys.nextvalidators(3)), undefined);
    s.commit([]); // block 3, decided by a
    assert.deepEqual(names(s.ledger.head.validators), names(a));
    assert.deepEqual(members(s), names(c));
    // Block 3 scheduled nothing, so the state after it names c for heights 4 and 5.
    assert.deepEqual(validatorSetAt(s.ledger.state, 3, 5), c);
    const hashes = [];
    for (let i = 0; i < 2; i++) {
      const block = s.block([]);
      hashes.push(toHex(block.header.validatorsHash));
      s.commitBlock(block);
    }
    assert.deepEqual(hashes, [
      toHex(validatorsHash(s.ledger.hasher, c)),
      toHex(validatorsHash(s.ledger.hasher, c)),
    ]);
  });

  it("refuses to take the validator role from a member of the set in force or of a scheduled one", () => {
    const s = newScenario();
    const next = set(ASKER, TAX, NEWCOMER, OWNER);
    // Block 1: a role change for the newcomer is proposed (not yet passing), then the set change executes; from
    // then on the newcomer's role is refused in the same block.
    const dropNewcomer = derivedId(s.ledger.hasher, "proposal", OWNER, 0);
    const roles = (agency: string) => ({ type: "agency.roles" as const, agency, roles: ["member" as const] });
    assert.deepEqual(
      s.commit([
        s.tx(OWNER, "governance.propose", { action: roles(NEWCOMER) }),
        ...passing(s, change(next)),
        s.tx(REGULATOR, "governance.propose", { action: roles(NEWCOMER) }),
      ]),
      [null, null, null, null, "INVALID_FIELD"],
    );
    // Block 2: the newcomer is in the set of height 3, the regulator in the set in force.
    assert.deepEqual(
      s.commit([
        s.tx(REGULATOR, "governance.propose", { action: roles(NEWCOMER) }),
        s.tx(OWNER, "governance.propose", { action: roles(REGULATOR) }),
        s.tx(ASKER, "governance.vote", { proposal: dropNewcomer, approve: true }),
        s.tx(TAX, "governance.vote", { proposal: dropNewcomer, approve: true }),
      ]),
      ["INVALID_FIELD", "INVALID_FIELD", null, null],
    );
    const failed = s.ledger.state.get(keys.proposal(dropNewcomer));
    assert.equal(failed?.status, "failed");
    assert.equal(
      failed?.failure,
      `INVALID_FIELD: roles: ${NEWCOMER} is in the validator set taking effect at height 3; replace the set first`,
    );
    // Block 3: the regulator is in no set any more, so its role may go; the newcomer's may not.
    assert.deepEqual(s.commit(passing(s, roles(REGULATOR))), [null, null, null]);
    assert.deepEqual(s.ledger.state.get(keys.agency(REGULATOR))?.roles, ["member"]);
    assert.deepEqual(s.commit([s.tx(OWNER, "governance.propose", { action: roles(NEWCOMER) })]), [
      "INVALID_FIELD",
    ]);
  });

  it("replays and resumes across a change to the same app hashes and certificates", () => {
    const s = newScenario();
    const blocks: Block[] = [];
    const commit = (txs: Uint8Array[]) => {
      const block = s.block(txs, s.ledger.head.height >= 2 ? NEWCOMER : OWNER);
      blocks.push(block);
      return s.commitBlock(block).appHash;
    };
    const appHashes = [commit(passing(s, change(set(ASKER, TAX, NEWCOMER, OWNER))))];
    // The state after block 1 holds the scheduled set: a node resuming from it (a store, a snapshot) carries on.
    const snapshot = CommittedState.fromEncoded(
      s.ledger.hasher,
      s.ledger.state.entries().map(([key, record]) => ({ key, value: encodeRecord(record) })),
    );
    const head1 = s.ledger.head;
    for (let i = 0; i < 3; i++) appHashes.push(commit([]));
    const seen = s.lastCommit;
    assert.ok(seen !== null);

    const fresh = Ledger.fromGenesis(parseGenesis(genesisDoc()), createVerifier());
    const resumed = Ledger.resume(snapshot, head1, createVerifier());
    for (const [i, block] of blocks.entries()) {
      const copy = decodeBlock(encodeBlock(block));
      assert.deepEqual(fresh.apply(copy).appHash, appHashes[i], `replay, block ${i + 1}`);
      if (i > 0) assert.deepEqual(resumed.apply(decodeBlock(encodeBlock(block))).appHash, appHashes[i]);
    }
    for (const ledger of [fresh, resumed]) {
      assert.deepEqual(ledger.verifyHeadCommit(seen), { ok: true, power: 40, total: 40 });
      assert.deepEqual(names(ledger.head.validators), [ASKER, TAX, NEWCOMER, OWNER]);
    }
  });
});
