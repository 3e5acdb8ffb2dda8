import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  blockHash,
  bytesEqual,
  type CborValue,
  type CommitCertificate,
  createHasher,
  createVerifier,
  encodeCbor,
  encodeCommitCertificate,
  evidenceRoot,
  executeBody,
  type Genesis,
  genesisHash,
  genesisState,
  keys,
  Ledger,
  lastCommitHash,
  parseGenesis,
  signCommit,
  type TxBody,
  toHex,
  txRoot,
  validatorsHash,
} from "@coken/ledger";
import { type BlockSource, ReplayError, replayChain, type StoredBlock } from "../src/index.js";
import { signer, T0 } from "./fixtures/ledger-driver.js";

/*
 * The forger model: someone who holds a certified chain (blocks and the newest block's seen commit) and no
 * validator key rewrites it and recomputes every hash it can (tx roots, app hashes, results, headers, links, the
 * lastCommitHash of each header, the height and block hash a certificate names); only precommit signatures are
 * out of reach. The chain verifier (`replayChain`, behind `coken chain verify`) must refuse every rewrite, except
 * cutting off whole trailing blocks with their certificates, which it must report as the height it verified.
 */

const VALIDATORS = ["a.one", "b.two", "c.three", "d.four"];
const BLOCKS = 8;
const MUTATIONS = 300;

const genesis: Genesis = parseGenesis({
  chainId: "coken-forger",
  genesisTime: new Date(T0).toISOString(),
  agencies: VALIDATORS.map((id) => ({
    id,
    name: id,
    region: "CN",
    publicKey: toHex(signer(id).publicKey),
    roles: ["validator", "member"],
    balance: "1000",
  })),
  validators: VALIDATORS.map((agency) => ({ agency, power: 1 })),
});
const h = createHasher(genesis.hashAlgorithm);
const verifier = createVerifier();
// The forger only needs the state its rewrite leads to: it checks no signature (and so runs fast).
const trusting = { verify: () => true };

interface Chain {
  blocks: Block[];
  seen: CommitCertificate | null;
}

/** Deterministic PRNG (mulberry32), so every run tries the same mutations. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A certified chain: transfers between the agencies; each block certified by a rotating minimal quorum (3 of 4). */
function honestChain(): Chain {
  const ledger = Ledger.fromGenesis(genesis, verifier);
  const seqs = new Map<string, number>();
  const blocks: Block[] = [];
  let seen: CommitCertificate | null = null;
  for (let height = 1; height <= BLOCKS; height++) {
    const txs = [0, 1, 2].map((i) => {
      const sender = VALIDATORS[(height + i) % 4] as string;
      const seq = seqs.get(sender) ?? 0;
      seqs.set(sender, seq + 1);
      const to = VALIDATORS[(height + i + 1) % 4] as string;
      const body = {
        chain: genesis.chainId,
        kind: "credit.transfer",
        sender,
        seq,
        payload: { to, amount: BigInt(height + i), memo: "" },
      };
      return ledger.signTx(signer(sender), body as TxBody);
    });
    const block = ledger.buildBlock({
      txs,
      time: T0 + height * 1000,
      proposer: VALIDATORS[height % 4] as string,
      lastCommit: seen,
    });
    const quorum = VALIDATORS.filter((_, i) => i !== height % 4);
    const certificate = signCommit(
      h,
      block,
      quorum.map((v) => ({ validator: v, signer: signer(v) })),
      block.header.time + 300,
    );
    ledger.apply(block);
    blocks.push(block);
    seen = certificate;
  }
  return { blocks, seen };
}

/**
 * What the forger publishes: every header rebuilt over its predecessor (state from executing the bodies), every
 * certificate re-aimed at the rebuilt block it certifies, and the store rows a verifier reads.
 */
function forge(chain: Chain): StoredBlock[] {
  const state = genesisState(genesis);
  let prevHash = genesisHash(h, genesis);
  const rows: StoredBlock[] = [genesisRow(state)];
  const blocks: Block[] = [];
  for (const [i, original] of chain.blocks.entries()) {
    const prev = blocks[i - 1];
    const lastCommit =
      original.lastCommit === null || prev === undefined
        ? original.lastCommit
        : { ...original.lastCommit, height: prev.header.height, blockHash: blockHash(h, prev.header) };
    const block: Block = {
      ...original,
      lastCommit,
      header: {
        ...original.header,
        height: i + 1,
        prevHash,
        appHash: state.appHash(),
        validatorsHash: validatorsHash(h, state.get(keys.validators)?.validators ?? []),
        txRoot: txRoot(h, original.txs),
        evidenceRoot: evidenceRoot(h, original.evidence),
        lastCommitHash: lastCommitHash(h, lastCommit),
      },
    };
    const outcome = executeBody(state, block, { hasher: h, verifier: trusting });
    state.commit(outcome.diff);
    prevHash = blockHash(h, block.header);
    blocks.push(block);
    rows.push({
      height: block.header.height,
      hash: prevHash,
      prevHash: block.header.prevHash,
      timeMs: block.header.time,
      proposer: block.header.proposer,
      appHash: block.header.appHash,
      resultAppHash: state.appHash(),
      header: encodeCbor(block.header as unknown as CborValue),
      commit: null,
      evidence: block.evidence.length === 0 ? null : encodeCbor(block.evidence),
      txs: block.txs.map((raw, index) => ({
        hash: h.hash("tx.raw", raw),
        index,
        kind: "",
        sender: "",
        seq: 0,
        resultCode: outcome.txs[index]?.code ?? null,
        raw,
      })),
    });
  }
  // A block's certificate is the next block's lastCommit; the newest block's is the seen commit, re-aimed too.
  for (let i = 1; i < rows.length; i++) {
    const next = blocks[i];
    const row = rows[i] as StoredBlock;
    const cert =
      next !== undefined
        ? next.lastCommit
        : chain.seen && { ...chain.seen, height: row.height, blockHash: row.hash };
    row.commit = cert === null ? null : encodeCommitCertificate(cert);
  }
  return rows;
}

function genesisRow(state: ReturnType<typeof genesisState>): StoredBlock {
  return {
    height: 0,
    hash: genesisHash(h, genesis),
    prevHash: new Uint8Array(32),
    timeMs: genesis.genesisTime,
    proposer: "",
    appHash: new Uint8Array(32),
    resultAppHash: state.appHash(),
    header: new Uint8Array(0),
    commit: null,
    evidence: null,
    txs: [],
  };
}

function source(rows: StoredBlock[]): BlockSource {
  return {
    genesisBlock: async () => rows[0] ?? null,
    blocks: async (from, limit) => rows.slice(from, from + limit),
  };
}

type Verdict = { refused: string } | { height: number; verifiedHeight: number };

async function verify(rows: StoredBlock[]): Promise<Verdict> {
  try {
    const r = await replayChain(source(rows), genesis, verifier);
    return { height: r.height, verifiedHeight: r.verifiedHeight };
  } catch (e) {
    if (e instanceof ReplayError) return { refused: e.code };
    throw e;
  }
}

function certificates(
  chain: Chain,
): { get: () => CommitCertificate | null; set: (c: CommitCertificate) => void }[] {
  const out = chain.blocks
    .filter((b) => b.lastCommit !== null)
    .map((b) => ({
      get: () => b.lastCommit,
      set: (c: CommitCertificate) => {
        b.lastCommit = c;
      },
    }));
  out.push({
    get: () => chain.seen,
    set: (c) => {
      chain.seen = c;
    },
  });
  return out;
}

const swap = <T>(list: T[], i: number, j: number) => {
  const a = list[i] as T;
  list[i] = list[j] as T;
  list[j] = a;
};

/** Mutations of the forger model, by name; each changes the chain in place. */
const MUTATORS: Record<string, (c: Chain, r: (n: number) => number) => void> = {
  "drop a tx": (c, r) => {
    const b = c.blocks[r(c.blocks.length)] as Block;
    b.txs.splice(r(b.txs.length), 1);
  },
  "reorder txs": (c, r) => {
    const b = c.blocks[r(c.blocks.length)] as Block;
    const i = r(b.txs.length);
    swap(b.txs, i, (i + 1 + r(b.txs.length - 1)) % b.txs.length);
  },
  "duplicate a tx": (c, r) => {
    const b = c.blocks[r(c.blocks.length)] as Block;
    const i = r(b.txs.length);
    b.txs.splice(r(b.txs.length + 1), 0, b.txs[i] as Uint8Array);
  },
  "drop a block": (c, r) => {
    c.blocks.splice(r(c.blocks.length - 1), 1);
  },
  "reorder blocks": (c, r) => {
    const i = r(c.blocks.length - 1);
    swap(c.blocks, i, i + 1);
  },
  "change the proposer": (c, r) => {
    const b = c.blocks[r(c.blocks.length)] as Block;
    b.header.proposer = VALIDATORS[(VALIDATORS.indexOf(b.header.proposer) + 1 + r(3)) % 4] as string;
  },
  "change a time": (c, r) => {
    const b = c.blocks[r(c.blocks.length)] as Block;
    b.header.time += 1 + r(400);
  },
  "strip a precommit": (c, r) => {
    const all = certificates(c);
    const cert = all[r(all.length)];
    const value = cert?.get();
    const drop = r(3);
    if (cert && value) cert.set({ ...value, signatures: value.signatures.filter((_, i) => i !== drop) });
  },
  "reorder precommits": (c, r) => {
    const all = certificates(c);
    const cert = all[r(all.length)];
    const value = cert?.get();
    if (!cert || !value) return;
    const signatures = [...value.signatures];
    const i = r(signatures.length);
    swap(signatures, i, (i + 1 + r(signatures.length - 1)) % signatures.length);
    cert.set({ ...value, signatures });
  },
  "duplicate a precommit": (c, r) => {
    const all = certificates(c);
    const cert = all[r(all.length)];
    const value = cert?.get();
    if (!cert || !value) return;
    const signatures = [...value.signatures];
    const i = r(signatures.length);
    signatures.splice(i, 0, signatures[i] as (typeof signatures)[number]);
    cert.set({ ...value, signatures });
  },
  "swap certificates": (c, r) => {
    const all = certificates(c);
    const i = r(all.length);
    const j = (i + 1 + r(all.length - 1)) % all.length;
    const [a, b] = [all[i]?.get(), all[j]?.get()];
    if (a && b) {
      all[i]?.set(b);
      all[j]?.set(a);
    }
  },
};

function clone(chain: Chain): Chain {
  return {
    blocks: chain.blocks.map((b) => ({
      ...b,
      header: { ...b.header },
      txs: [...b.txs],
      evidence: [...b.evidence],
      lastCommit: b.lastCommit && { ...b.lastCommit, signatures: [...b.lastCommit.signatures] },
    })),
    seen: chain.seen && { ...chain.seen, signatures: [...chain.seen.signatures] },
  };
}

const fingerprint = (rows: StoredBlock[]) =>
  rows.map((r) => `${toHex(r.hash)}:${r.commit ? toHex(r.commit) : "-"}`).join(",");

describe("a forger without validator keys (chain verifier)", () => {
  const honest = honestChain();
  const original = forge(honest);

  it("the honest chain re-forged unchanged verifies to its full height", async () => {
    assert.deepEqual(await verify(original), { height: BLOCKS, verifiedHeight: BLOCKS });
  });

  it(`refuses every one of ${MUTATIONS} seeded rewrites with recomputed hashes`, async () => {
    const random = prng(20261206);
    const names = Object.keys(MUTATORS);
    const accepted: string[] = [];
    const tried = new Map<string, number>();
    let n = 0;
    while (n < MUTATIONS) {
      const name = names[random(names.length)] as string;
      const chain = clone(honest);
      (MUTATORS[name] as (c: Chain, r: (n: number) => number) => void)(chain, random);
      const rows = forge(chain);
      if (fingerprint(rows) === fingerprint(original)) continue; // a rewrite that changed nothing
      n++;
      tried.set(name, (tried.get(name) ?? 0) + 1);
      const verdict = await verify(rows);
      if (!("refused" in verdict)) accepted.push(`${name}: verified to ${verdict.verifiedHeight}`);
    }
    assert.deepEqual(accepted, []);
    assert.equal(tried.size, names.length, "every kind of rewrite was tried");
  });

  it("reports cutting off trailing blocks with their certificates as the height it verified", async () => {
    for (const keep of [BLOCKS - 1, 5, 1]) {
      // The forger keeps the certificate of the new newest block (it had it, in the next block's lastCommit)...
      const cut = clone(honest);
      cut.seen = cut.blocks[keep]?.lastCommit ?? null;
      cut.blocks = cut.blocks.slice(0, keep);
      assert.deepEqual(await verify(forge(cut)), { height: keep, verifiedHeight: keep });
      // ...or drops it too: the newest block is then not authenticated.
      cut.seen = null;
      assert.deepEqual(await verify(forge(cut)), { height: keep, verifiedHeight: keep - 1 });
    }
  });

  it("re-forged rows of the honest chain are the ones the ledger builds", () => {
    const rows = original.slice(1);
    for (const [i, block] of honest.blocks.entries()) {
      assert.ok(bytesEqual(rows[i]?.hash as Uint8Array, blockHash(h, block.header)));
    }
  });
});
