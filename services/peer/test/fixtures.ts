import { createHash } from "node:crypto";
import {
  type Block,
  type CommitCertificate,
  type CommittedBlock,
  createVerifier,
  ed25519Signer,
  Ledger,
  parseGenesis,
  type Signer,
  signCommit,
  type TxBody,
  toHex,
  type Verifier,
} from "@coken/ledger";
import type { StoredLedger } from "@coken/store";

export const T0 = Date.UTC(2026, 0, 1);
export const AGENCIES = ["sh.land-registry", "bj.housing", "gz.tax", "regulator"];

export const signerOf = (id: string): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`peer-test:${id}`).digest()));

export function genesisDoc(): Record<string, unknown> {
  const agencies = AGENCIES.map((id) => ({
    id,
    name: id,
    region: "CN",
    publicKey: toHex(signerOf(id).publicKey),
    roles: id === "regulator" ? ["validator", "regulator"] : ["validator", "member"],
    balance: "1000",
  }));
  return {
    chainId: "coken-peer-test",
    genesisTime: new Date(T0).toISOString(),
    agencies,
    validators: agencies.map((a) => ({ agency: a.id, power: 10 })),
  };
}

export function newLedger(verifier: Verifier = createVerifier()): Ledger {
  return Ledger.fromGenesis(parseGenesis(genesisDoc()), verifier);
}

export function transfer(
  ledger: Ledger,
  from: string,
  seq: number,
  amount = 1n,
  to = "bj.housing",
): Uint8Array {
  const body = {
    chain: ledger.head.chain,
    kind: "credit.transfer",
    sender: from,
    seq,
    payload: { to, amount, memo: "" },
  };
  return ledger.signTx(signerOf(from), body as TxBody);
}

/** The certificate of the next block of `ledger`, signed by every validator in force for it (test keys). */
export function certify(ledger: Ledger, block: Block): CommitCertificate {
  const signers = ledger.nextValidators().map((v) => ({ validator: v.agency, signer: signerOf(v.agency) }));
  return signCommit(ledger.hasher, block, signers, block.header.time + 500);
}

export interface NextBlock {
  txs: Uint8Array[];
  time: number;
  proposer: string;
}

const seenCommits = new WeakMap<Ledger, CommitCertificate>();

/** Builds the next block (carrying the previous block's certificate), commits it and certifies it. */
export function commitNext(ledger: Ledger, next: NextBlock): CommittedBlock {
  const block = ledger.buildBlock({ ...next, lastCommit: seenCommits.get(ledger) ?? null });
  const certificate = certify(ledger, block);
  const committed = ledger.apply(block);
  seenCommits.set(ledger, certificate);
  return committed;
}

/** `commitNext` for a stored ledger: the previous certificate comes from the store, the new one goes there. */
export async function commitStored(chain: StoredLedger, next: NextBlock): Promise<CommittedBlock> {
  const block = chain.ledger.buildBlock({ ...next, lastCommit: await chain.headCommit() });
  return chain.apply(block, certify(chain.ledger, block));
}
