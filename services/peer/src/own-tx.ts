import {
  type AgencyId,
  encodeTx,
  type Hasher,
  keys,
  type Signer,
  signTx,
  type TxBody,
  type TxKind,
  type TxPayloads,
} from "@coken/ledger";
import type { AddResult } from "./mempool.js";

/** Consecutive sequence numbers tried above the committed one: this agency's own txs may be pending. */
const SEQ_PROBES = 16;

export interface OwnTxComponents {
  self: AgencyId;
  chainId: string;
  hasher: Hasher;
  signer: Signer;
  /** Committed state, for the account's sequence number. */
  ledger: { get(key: string): unknown };
  submitTx(raw: Uint8Array): AddResult | { ok: false; reason: string };
}

/** Why the mempool refused a tx this peer signed itself. */
export class OwnTxError extends Error {
  override readonly name = "OwnTxError";
  constructor(readonly code: string) {
    super(`the mempool refused the transaction: ${code}`);
  }
}

/**
 * Signs `payload` as this agency's next transaction of `kind` and hands it to the mempool (which gossips it).
 * The committed sequence number may be behind this agency's pending txs, so the next few are tried in turn.
 * Returns the tx id; throws OwnTxError with the mempool's reason otherwise.
 */
export function submitOwnTx<K extends TxKind>(c: OwnTxComponents, kind: K, payload: TxPayloads[K]): string {
  const account = c.ledger.get(keys.account(c.self)) as { seq: number } | undefined;
  if (account === undefined) throw new OwnTxError("UNKNOWN_SENDER");
  let reason = "BAD_SEQUENCE";
  for (let probe = 0; probe < SEQ_PROBES; probe++) {
    const body = { chain: c.chainId, kind, sender: c.self, seq: account.seq + probe, payload } as TxBody;
    const result = c.submitTx(encodeTx(signTx(c.hasher, c.signer, body)));
    if (result.ok) return result.id;
    reason = result.reason;
    if (reason !== "BAD_SEQUENCE") break;
  }
  throw new OwnTxError(reason);
}
