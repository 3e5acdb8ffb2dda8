import {
  derivedId,
  duplicateVoteEvidence,
  encodeBlock,
  encodeCommitCertificate,
  encodeEvidence,
  type HashAlgorithm,
  parseGenesis,
  toHex,
  voteSignBytes,
} from "../../src/index.js";
import {
  datasetPayload,
  receipt,
  Scenario,
  signedBatch,
  T0,
  testGenesisDoc,
  testSigner,
} from "../fixtures.js";

export interface GoldenChain {
  description: string;
  genesis: Record<string, unknown>;
  genesisAppHash: string;
  blocks: { block: string; blockHash: string; appHash: string; results: (string | null)[] }[];
  /** cbor(certificate) of the last block (its seen commit): the certificates of the others are in the blocks. */
  seenCommit: string;
}

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";

/** The sets the golden chain's blocks 7 and 8 put in force (the genesis set is the four validators at 10). */
export const VALIDATOR_CHANGES = [
  [
    { agency: ASKER, power: 10 },
    { agency: "gz.tax", power: 20 },
    { agency: OWNER, power: 10 },
  ],
  [
    { agency: ASKER, power: 10 },
    { agency: "gz.tax", power: 10 },
    { agency: OWNER, power: 20 },
  ],
];

/**
 * A deterministic chain that exercises every tx kind, refusals included, epoch boundaries and validator-set changes
 * in consecutive blocks. Keys, times and
 * payloads are fixed, so the bytes and hashes are the same on every machine.
 */
export function buildGoldenChain(hashAlgorithm: HashAlgorithm): GoldenChain {
  const genesisDoc = testGenesisDoc({ hashAlgorithm });
  const s = new Scenario(parseGenesis(genesisDoc));
  const h = s.ledger.hasher;
  const genesisAppHash = toHex(s.ledger.state.appHash());
  const blocks: GoldenChain["blocks"] = [];
  const commit = (txs: Uint8Array[], evidence: Uint8Array[] = []) => {
    const block = s.block(txs, "sh.land-registry", evidence);
    const committed = s.commitBlock(block);
    blocks.push({
      block: toHex(encodeBlock(block)),
      blockHash: toHex(committed.outcome.hash),
      appHash: toHex(committed.appHash),
      results: committed.outcome.txs.map((t) => t.code),
    });
    return committed;
  };
  const grant = derivedId(h, "grant", OWNER, 1);
  const newcomer = testSigner("sz.courts");
  const proposal = derivedId(h, "proposal", OWNER, 5);
  commit([
    s.tx(OWNER, "dataset.publish", datasetPayload("sh/property")),
    s.tx(OWNER, "grant.issue", {
      dataset: "sh/property",
      grantee: ASKER,
      queryKinds: ["count"],
      fields: ["ownerId"],
      purpose: "purchase restriction",
      quota: 100,
      expiresAt: s.time + 86_400_000,
    }),
    new Uint8Array([0xff, 0x00]),
  ]);
  const rs = [0, 1, 2, 3, 4].map((n) => receipt(grant, "sh/property", OWNER, ASKER, s.time, n));
  commit([
    s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, rs.slice(0, 3))] }),
    // Repeats receipt 2, so it is refused and its sequence number (3) is used again below.
    s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, rs.slice(2))] }, { seq: 3 }),
    s.tx(
      OWNER,
      "dataset.commit",
      {
        dataset: "sh/property",
        commitment: {
          scheme: "poseidon-bn254-v1",
          root: new Uint8Array(32).fill(7),
          rowCount: 1024,
          indexedFields: ["ownerId"],
          verifyingKeys: [{ queryKind: "count", hash: new Uint8Array(32).fill(9) }],
        },
      },
      { seq: 3 },
    ),
  ]);
  commit([
    s.tx(OWNER, "credit.transfer", { to: ASKER, amount: 250n, memo: "settlement" }),
    s.tx("regulator", "credit.offer", {
      id: "cloud-compute",
      title: "Cloud compute hours",
      description: "One hour of shared government cloud compute",
      price: 50n,
      stock: 100,
    }),
    s.tx(ASKER, "credit.redeem", { offer: "cloud-compute", quantity: 1, reference: "INV-2026-001" }),
    s.tx("regulator", "regulator.freeze", {
      target: { kind: "dataset", id: "sh/property" },
      reason: "data quality review",
    }),
    s.tx(OWNER, "governance.propose", {
      action: {
        type: "agency.admit",
        agency: {
          id: "sz.courts",
          name: "Shenzhen courts",
          region: "CN-GD",
          publicKey: newcomer.publicKey,
          keyScheme: "ed25519",
          roles: ["member"],
        },
      },
    }),
  ]);
  commit([
    s.tx(ASKER, "governance.vote", { proposal, approve: true }),
    s.tx("gz.tax", "governance.vote", { proposal, approve: true }),
    s.tx("regulator", "regulator.unfreeze", {
      target: { kind: "dataset", id: "sh/property" },
      reason: "review passed",
    }),
    s.tx(OWNER, "grant.revoke", { grant, reason: "purpose fulfilled" }),
  ]);
  commit([
    s.tx("sz.courts", "agency.register", {}),
    s.tx(ASKER, "credit.transfer", { to: "sz.courts", amount: 1n, memo: "" }),
  ]);
  // gz.tax prevoted for two different blocks at height 3: the evidence is recorded in state.
  const doubleVote = (blockHash: Uint8Array | null) => {
    const v = { type: "prevote" as const, height: 3, round: 0, blockHash, time: T0 + 3000 };
    const signature = testSigner("gz.tax").sign(voteSignBytes(h, { chain: "coken-test", ...v }));
    return { ...v, validator: "gz.tax", signature };
  };
  commit(
    [],
    [encodeEvidence(duplicateVoteEvidence(doubleVote(new Uint8Array(32).fill(5)), doubleVote(null)))],
  );
  // Validator-set changes in consecutive blocks (§13.5): the set executed in block 7 decides heights 9 on, the one
  // executed in block 8 heights 10 on.
  for (const validators of VALIDATOR_CHANGES) {
    const seq = s.nextSeq(OWNER);
    const changed = derivedId(h, "proposal", OWNER, seq);
    commit([
      s.tx(OWNER, "governance.propose", { action: { type: "validators.set", validators } }, { seq }),
      s.tx(ASKER, "governance.vote", { proposal: changed, approve: true }),
      s.tx("gz.tax", "governance.vote", { proposal: changed, approve: true }),
    ]);
  }
  commit([]);
  commit([]);
  return {
    description: `Coken ledger golden chain (${hashAlgorithm}): every tx kind, refusals, epoch boundaries at heights 5 and 10, double-vote evidence at height 6, and validator-set changes executed at heights 7 and 8 that decide heights 9 and 10 on. Every block after the first carries the certificate of its predecessor, signed by every validator of that block's set; seenCommit certifies the last block.`,
    genesis: genesisDoc,
    genesisAppHash,
    blocks,
    seenCommit: toHex(encodeCommitCertificate(s.lastCommit as NonNullable<typeof s.lastCommit>)),
  };
}
