import { createHash } from "node:crypto";
import {
  createVerifier,
  ed25519Signer,
  Ledger,
  parseGenesis,
  type Signer,
  type TxBody,
  toHex,
  type Verifier,
} from "@coken/ledger";

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
