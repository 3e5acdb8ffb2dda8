import type { KeyScheme } from "../crypto/signature.js";
import { EncodingError } from "../encoding/errors.js";
import type { Params } from "../model.js";
import { keys } from "../state/keys.js";
import { type StateDiff, StateOverlay, type StateReader } from "../state/view.js";
import { decodeTx } from "../tx/codec.js";
import { txId } from "../tx/sign.js";
import type { SignedTx, TxKind, TxPayloads } from "../tx/types.js";
import { attestAccess, disputeAccess, recordAccess } from "./access.js";
import { registerAgency } from "./agency.js";
import { commitDataset, publishDataset } from "./catalog.js";
import type { BlockContext, TxContext } from "./context.js";
import { offerItem, redeemCredits, transferCredits } from "./credits.js";
import { reject, TxError } from "./errors.js";
import { propose, vote } from "./governance.js";
import { issueGrant, revokeGrant } from "./grants.js";
import { freeze, unfreeze } from "./regulator.js";

/** The outcome of one tx; `id` is its tx id, or null when the bytes did not decode. */
export type ApplyResult =
  | { ok: true; tx: SignedTx; id: Uint8Array; diff: StateDiff }
  | { ok: false; error: TxError; tx: SignedTx | null; id: Uint8Array | null };

type Handler<K extends TxKind> = (ctx: TxContext, payload: TxPayloads[K]) => void;

const handlers: { [K in TxKind]: Handler<K> } = {
  "agency.register": (ctx) => registerAgency(ctx),
  "dataset.publish": publishDataset,
  "dataset.commit": commitDataset,
  "grant.issue": issueGrant,
  "grant.revoke": revokeGrant,
  "access.record": recordAccess,
  "access.attest": attestAccess,
  "access.dispute": disputeAccess,
  "credit.transfer": transferCredits,
  "credit.redeem": redeemCredits,
  "regulator.freeze": freeze,
  "regulator.unfreeze": unfreeze,
  "governance.propose": propose,
  "governance.vote": vote,
  "credit.offer": offerItem,
};

function senderKey(
  state: StateReader,
  tx: SignedTx,
): { scheme: KeyScheme; publicKey: Uint8Array; seq: number } {
  const { sender, kind } = tx.body;
  if (kind === "agency.register") {
    if (state.get(keys.agency(sender)) !== undefined) {
      reject("ALREADY_EXISTS", `agency ${sender} is registered`, { agency: sender });
    }
    const admission = state.get(keys.admission(sender));
    if (admission === undefined) reject("UNKNOWN_SENDER", `${sender} is neither registered nor admitted`);
    return { scheme: admission.keyScheme, publicKey: admission.publicKey, seq: 0 };
  }
  const agency = state.get(keys.agency(sender));
  const account = state.get(keys.account(sender));
  if (agency === undefined || account === undefined)
    reject("UNKNOWN_SENDER", `no agency ${sender}`, { agency: sender });
  return { scheme: agency.keyScheme, publicKey: agency.publicKey, seq: account.seq };
}

function run(
  state: StateReader,
  tx: SignedTx,
  id: Uint8Array,
  block: BlockContext,
  params: Params,
): StateDiff {
  const { body } = tx;
  if (body.chain !== block.chain)
    reject("WRONG_CHAIN", `tx is for chain ${body.chain}`, { chain: body.chain });
  const key = senderKey(state, tx);
  if (body.seq !== key.seq) {
    reject("BAD_SEQUENCE", `expected sequence ${key.seq}, got ${body.seq}`, {
      expected: key.seq,
      got: body.seq,
    });
  }
  if (state.get(keys.freeze("agency", body.sender)) !== undefined) {
    reject("FROZEN", `agency ${body.sender} is frozen`, { kind: "agency", id: body.sender });
  }
  if (!block.verifier.verify(key.scheme, key.publicKey, id, tx.sig)) {
    reject("BAD_SIGNATURE", "signature does not verify against the sender's key", { agency: body.sender });
  }
  const overlay = new StateOverlay(state);
  const ctx: TxContext = { state: overlay, block, sender: body.sender, seq: body.seq, params };
  (handlers[body.kind] as Handler<TxKind>)(ctx, body.payload);
  const account = overlay.get(keys.account(body.sender));
  if (account !== undefined) overlay.set(keys.account(body.sender), { ...account, seq: body.seq + 1 });
  return overlay.diff();
}

/**
 * Applies one signed tx to `state` in `block`. Pure: reads `state`, never changes it, and returns either the
 * diff the tx makes or the typed reason it is refused (in which case it makes no change at all).
 */
export function applyTx(state: StateReader, tx: SignedTx, block: BlockContext): ApplyResult {
  const id = txId(block.hasher, tx.body);
  try {
    const params = state.get(keys.params) ?? reject("MALFORMED_TX", "state has no params (missing genesis)");
    return { ok: true, tx, id, diff: run(state, tx, id, block, params) };
  } catch (e) {
    if (e instanceof TxError) return { ok: false, error: e, tx, id };
    throw e;
  }
}

/**
 * Decodes and applies raw tx bytes; malformed or oversized bytes are refused with MALFORMED_TX / TX_TOO_LARGE.
 * `decoded`, when given, must be what `decodeTx(raw)` returns (a caller that decoded these bytes before, found by
 * their digest); the result is then the same, without decoding again.
 */
export function applyTxBytes(
  state: StateReader,
  raw: Uint8Array,
  block: BlockContext,
  decoded?: SignedTx,
): ApplyResult {
  const params = state.get(keys.params);
  if (params !== undefined && raw.length > params.maxTxBytes) {
    return {
      ok: false,
      error: new TxError("TX_TOO_LARGE", `${raw.length} bytes; at most ${params.maxTxBytes}`, {
        size: raw.length,
      }),
      tx: null,
      id: null,
    };
  }
  if (decoded !== undefined) return applyTx(state, decoded, block);
  let tx: SignedTx;
  try {
    tx = decodeTx(raw);
  } catch (e) {
    if (e instanceof EncodingError) {
      return {
        ok: false,
        error: new TxError("MALFORMED_TX", e.message, { encoding: e.code, path: e.path }),
        tx: null,
        id: null,
      };
    }
    throw e;
  }
  return applyTx(state, tx, block);
}
