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

/**
 * A deterministic chain that exercises every tx kind, refusals included, and an epoch boundary. Keys, times and
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
  return {
    description: `Coken ledger golden chain (${hashAlgorithm}): every tx kind, refusals, an epoch boundary at height 5 and double-vote evidence at height 6. Every block after the first carries the certificate of its predecessor, signed by all four validators; seenCommit certifies the last block.`,
    genesis: genesisDoc,
    genesisAppHash,
    blocks,
    seenCommit: toHex(encodeCommitCertificate(s.lastCommit as NonNullable<typeof s.lastCommit>)),
  };
}
