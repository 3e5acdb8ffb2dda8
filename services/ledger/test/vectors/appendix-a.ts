import {
  type Block,
  blockHash,
  type CborValue,
  createHasher,
  createVerifier,
  derivedId,
  ed25519Signer,
  encodeCbor,
  encodeCommitCertificate,
  encodeRecord,
  type HashAlgorithm,
  Ledger,
  lastCommitHash,
  parseGenesis,
  receiptId,
  signCommit,
  signReceiptBatch,
  stateKeyHash,
  stateValueHash,
  type TxBody,
  toHex,
  type Validator,
  validatorsHash,
  voteSignBytes,
} from "../../src/index.js";
import { buildGoldenChain, VALIDATOR_CHANGES } from "./build.js";

/*
 * Rebuilds the worked example of the ledger specification (§12.4, Appendix A.2 and A.3) and the golden chains'
 * validator-set changes (A.7), and prints their values:
 *   node services/ledger/dist/test/vectors/appendix-a.js
 */

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const signers = { "sh.land": ed25519Signer(seed(1)), "bj.housing": ed25519Signer(seed(2)) };

function genesisDoc(hashAlgorithm: HashAlgorithm) {
  return {
    chainId: "coken-demo",
    genesisTime: "2026-01-01T00:00:00Z",
    hashAlgorithm,
    params: { epochLength: 2 },
    agencies: [
      {
        id: "sh.land",
        name: "Shanghai Land Registry",
        region: "CN-SH",
        publicKey: toHex(signers["sh.land"].publicKey),
        roles: ["validator", "member"],
        balance: "1000",
      },
      {
        id: "bj.housing",
        name: "Beijing Housing Authority",
        region: "CN-BJ",
        publicKey: toHex(signers["bj.housing"].publicKey),
        roles: ["validator", "member"],
      },
      {
        id: "regulator",
        name: "Data Regulator",
        region: "CN",
        publicKey: toHex(ed25519Signer(seed(3)).publicKey),
        keyScheme: "ed25519",
        roles: ["regulator"],
      },
    ],
    validators: [
      { agency: "sh.land", power: 10 },
      { agency: "bj.housing", power: 10 },
    ],
  };
}

function run(alg: HashAlgorithm): void {
  const ledger = Ledger.fromGenesis(parseGenesis(genesisDoc(alg)), createVerifier());
  const h = ledger.hasher;
  const tx = (seq: number, kind: string, payload: unknown) =>
    ledger.signTx(signers["sh.land"], {
      chain: "coken-demo",
      kind,
      sender: "sh.land",
      seq,
      payload,
    } as TxBody);
  const out = (name: string, value: Uint8Array) => process.stdout.write(`${alg} ${name} ${toHex(value)}\n`);
  const header = (label: string, block: Block) => {
    out(`${label} txRoot`, block.header.txRoot);
    out(`${label} lastCommitHash`, block.header.lastCommitHash);
    out(`${label} header`, encodeCbor(block.header as unknown as CborValue));
    out(`${label} hash`, blockHash(h, block.header));
  };

  const T = 1767225600000;
  const block1 = ledger.buildBlock({
    time: T + 1000,
    proposer: "sh.land",
    lastCommit: null,
    txs: [
      tx(0, "dataset.publish", {
        id: "sh/property",
        title: "Property register",
        description: "Owned properties by owner id",
        fields: [
          { name: "ownerId", type: "string", indexed: true, personal: true },
          { name: "count", type: "int", indexed: false, personal: false },
        ],
        region: "CN-SH",
        tags: ["housing"],
        updateFrequency: "daily",
        licence: "gov-internal",
        queryKinds: ["count"],
        price: 2n,
        commitment: null,
      }),
      tx(1, "grant.issue", {
        dataset: "sh/property",
        grantee: "bj.housing",
        queryKinds: ["count"],
        fields: ["ownerId"],
        purpose: "purchase restriction",
        quota: 10,
        expiresAt: 1767312000000,
      }),
      new Uint8Array([0xff]),
    ],
  });
  out("H(commit, cbor(null))", lastCommitHash(h, null));
  header("block1", block1);
  out("block1 stateRoot", ledger.apply(block1).appHash);

  const validators = Object.entries(signers).map(([validator, signer]) => ({ validator, signer }));
  const cert = signCommit(h, block1, validators, T + 1500);
  const precommit = { chain: "coken-demo", type: "precommit" as const, height: 1, round: 0, time: T + 1500 };
  out(
    "block1 precommit sign bytes",
    voteSignBytes(h, { ...precommit, blockHash: blockHash(h, block1.header) }),
  );
  out("block1 certificate", encodeCommitCertificate(cert));
  const receipts = [0, 1].map((i) => ({
    grant: derivedId(h, "grant", "sh.land", 1),
    dataset: "sh/property",
    provider: "sh.land",
    requester: "bj.housing",
    queryKind: "count" as const,
    time: T + 1500,
    requestHash: new Uint8Array(32).fill(0x10 + i),
    resultHash: new Uint8Array(32).fill(0x20 + i),
    proofHash: new Uint8Array(32).fill(0x30 + i),
    nonce: new Uint8Array(16).fill(0x40 + i),
  }));
  for (const [i, r] of receipts.entries()) out(`receiptId(r${i})`, receiptId(h, r));
  const batch = {
    requester: "bj.housing",
    receipts,
    requesterSig: signReceiptBatch(h, signers["bj.housing"], "sh.land", "bj.housing", receipts),
    providerSig: signReceiptBatch(h, signers["sh.land"], "sh.land", "bj.housing", receipts),
  };
  const block2 = ledger.buildBlock({
    time: T + 2000,
    proposer: "bj.housing",
    lastCommit: cert,
    txs: [
      tx(2, "access.record", { batches: [batch] }),
      tx(3, "credit.transfer", { to: "bj.housing", amount: 250n, memo: "fees" }),
    ],
  });
  header("block2", block2);
  const committed = ledger.apply(block2);
  process.stdout.write(`${alg} block2 results ${committed.outcome.txs.map((t) => t.code).join(",")}\n`);
  out("block2 stateRoot", committed.appHash);
}

/** The values of A.7: the golden chains' validator-set changes (blocks 7 and 8, in force from 9 and 10). */
function setChanges(alg: HashAlgorithm): void {
  const chain = buildGoldenChain(alg);
  const h = createHasher(alg);
  const out = (name: string, value: Uint8Array | string) =>
    process.stdout.write(`${alg} ${name} ${typeof value === "string" ? value : toHex(value)}\n`);
  const sets: [string, readonly Validator[]][] = [
    ["genesis", parseGenesis(chain.genesis).validators],
    ...VALIDATOR_CHANGES.map((v, i): [string, Validator[]] => [`change ${i + 7}`, v]),
  ];
  for (const [name, set] of sets) out(`validatorsHash(${name} set)`, validatorsHash(h, set));
  const record = encodeRecord({ validators: VALIDATOR_CHANGES[0] ?? [] });
  out("cbor(nextvalidators/9)", record);
  out('H("state.key", "nextvalidators/9")', stateKeyHash(h, "nextvalidators/9"));
  out("H(state.value, cbor(nextvalidators/9))", stateValueHash(h, record));
  for (const n of [7, 8, 9, 10]) {
    const b = chain.blocks[n - 1];
    out(`block ${n} hash`, b?.blockHash ?? "");
    out(`app hash after block ${n}`, b?.appHash ?? "");
  }
}

run("sha256");
run("sm3");
setChanges("sha256");
setChanges("sm3");
