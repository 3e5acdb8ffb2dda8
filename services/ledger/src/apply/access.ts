import { toHex } from "../bytes.js";
import { merkleRoot } from "../crypto/merkle.js";
import { EMPTY_MMR, mmrAppend } from "../crypto/mmr.js";
import type { Grant, ReceiptLog } from "../model.js";
import { keys } from "../state/keys.js";
import { batchHash, receiptId } from "../tx/sign.js";
import type { AccessReceipt, ReceiptBatch, TxPayloads } from "../tx/types.js";
import { requireAgency, requireGrant, requireNotFrozen, requireRole, type TxContext } from "./context.js";
import { reject } from "./errors.js";

export const EMPTY_RECEIPT_LOG: ReceiptLog = { batches: EMPTY_MMR, receiptCount: 0, floor: 0 };

function mismatch(index: string, message: string): never {
  return reject("RECEIPT_MISMATCH", `receipt ${index}: ${message}`, { receipt: index });
}

/** Checks one receipt against its grant and the block; returns its id. */
function checkReceipt(
  ctx: TxContext,
  batch: ReceiptBatch,
  r: AccessReceipt,
  at: string,
  grant: Grant,
  floor: number,
): Uint8Array {
  if (r.requester !== batch.requester) mismatch(at, "requester differs from its batch");
  if (r.provider !== ctx.sender) mismatch(at, "provider is not the sender");
  if (grant.dataset !== r.dataset) mismatch(at, "grant is for another dataset");
  if (grant.grantor !== ctx.sender || grant.grantee !== r.requester)
    mismatch(at, "grant is between other agencies");
  if (!grant.queryKinds.includes(r.queryKind)) mismatch(at, `grant does not allow ${r.queryKind}`);
  const { time } = ctx.block;
  const oldest = Math.max(floor, time - ctx.params.receiptMaxAgeMs);
  if (r.time > time + ctx.params.receiptMaxFutureMs || r.time < oldest) {
    reject("RECEIPT_TIME", `receipt ${at}: time outside the accepted window`, { receipt: at, time: r.time });
  }
  if (r.time >= grant.expiresAt || (grant.revoked !== null && r.time >= grant.revoked.time)) {
    reject("GRANT_INACTIVE", `receipt ${at}: grant ${grant.id} was not active at ${r.time}`, {
      grant: grant.id,
    });
  }
  const id = receiptId(ctx.block.hasher, r);
  const idHex = toHex(id);
  if (ctx.state.seenReceipt(idHex, r.time)) {
    reject("DUPLICATE_RECEIPT", `receipt ${at} was already recorded`, { receipt: at, id: idHex });
  }
  ctx.state.addReceipt(idHex, r.time);
  return id;
}

/**
 * access.record: the provider (sender) records batches of receipts. Every receipt must match an active grant
 * from the provider to the batch's requester, be new, fall in the time window and fit the grant's quota; each
 * batch carries both parties' signatures over the Merkle root of its receipt ids.
 */
export function recordAccess(ctx: TxContext, p: TxPayloads["access.record"]): void {
  const provider = requireAgency(ctx, ctx.sender);
  requireRole(ctx, provider, "member");
  const total = p.batches.reduce((n, b) => n + b.receipts.length, 0);
  if (total > ctx.params.maxReceiptsPerTx) {
    reject("TOO_MANY_RECEIPTS", `${total} receipts; at most ${ctx.params.maxReceiptsPerTx}`, {
      count: total,
    });
  }
  const h = ctx.block.hasher;
  const log = ctx.state.get(keys.receipts) ?? EMPTY_RECEIPT_LOG;
  const grants = new Map<string, Grant>();
  const datasetUse = new Map<string, number>();
  const batchHashes: Uint8Array[] = [];
  p.batches.forEach((batch, bi) => {
    const requester = requireAgency(ctx, batch.requester);
    requireNotFrozen(ctx, "agency", requester.id);
    const ids = batch.receipts.map((r, ri) => {
      const at = `${bi}.${ri}`;
      let grant = grants.get(r.grant);
      if (grant === undefined) {
        grant = requireGrant(ctx, r.grant);
        requireNotFrozen(ctx, "grant", grant.id);
        requireNotFrozen(ctx, "dataset", grant.dataset);
      }
      const id = checkReceipt(ctx, batch, r, at, grant, log.floor);
      grants.set(grant.id, { ...grant, used: grant.used + 1 });
      datasetUse.set(grant.dataset, (datasetUse.get(grant.dataset) ?? 0) + 1);
      return id;
    });
    const hash = batchHash(h, ctx.sender, requester.id, merkleRoot(h, ids), ids.length);
    const { verifier } = ctx.block;
    if (!verifier.verify(requester.keyScheme, requester.publicKey, hash, batch.requesterSig)) {
      reject("BAD_RECEIPT_SIGNATURE", `batch ${bi}: requester signature does not verify`, { batch: bi });
    }
    if (!verifier.verify(provider.keyScheme, provider.publicKey, hash, batch.providerSig)) {
      reject("BAD_RECEIPT_SIGNATURE", `batch ${bi}: provider signature does not verify`, { batch: bi });
    }
    batchHashes.push(hash);
  });
  for (const grant of grants.values()) {
    if (grant.used > grant.quota) {
      reject("QUOTA_EXCEEDED", `grant ${grant.id}: ${grant.used} of ${grant.quota}`, { grant: grant.id });
    }
    ctx.state.set(keys.grant(grant.id), grant);
  }
  for (const [id, n] of datasetUse) {
    const dataset = ctx.state.get(keys.dataset(id));
    if (dataset !== undefined)
      ctx.state.set(keys.dataset(id), { ...dataset, accessCount: dataset.accessCount + n });
  }
  let batches = log.batches;
  for (const hash of batchHashes) batches = mmrAppend(h, batches, hash);
  ctx.state.set(keys.receipts, { ...log, batches, receiptCount: log.receiptCount + total });
}
