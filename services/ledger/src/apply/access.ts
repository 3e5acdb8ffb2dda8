import { toHex } from "../bytes.js";
import { chargeRecorded, disputeRecorded } from "../credits/accrue.js";
import { merkleRoot } from "../crypto/merkle.js";
import { EMPTY_MMR, mmrAppend } from "../crypto/mmr.js";
import type { Agency, Grant, ReceiptLog } from "../model.js";
import { keys } from "../state/keys.js";
import { requestBatchHash, requestEnvelopeHash } from "../tx/request.js";
import { batchHash, receiptId } from "../tx/sign.js";
import type { AccessReceipt, AttestedBatch, ReceiptBatch, TxPayloads } from "../tx/types.js";
import { requireAgency, requireGrant, requireNotFrozen, requireRole, type TxContext } from "./context.js";
import { reject } from "./errors.js";

export const EMPTY_RECEIPT_LOG: ReceiptLog = { batches: EMPTY_MMR, receiptCount: 0, floor: 0 };

function mismatch(index: string, message: string): never {
  return reject("RECEIPT_MISMATCH", `receipt ${index}: ${message}`, { receipt: index });
}

/** Checks one receipt against its grant and the block (§8.4); records its id and request; returns its id. */
function checkReceipt(
  ctx: TxContext,
  requester: string,
  r: AccessReceipt,
  at: string,
  grant: Grant,
  floor: number,
): Uint8Array {
  if (r.requester !== requester) mismatch(at, "requester differs from its batch");
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
  const request = toHex(r.requestHash);
  if (ctx.state.seenReceipt(idHex, r.time) || ctx.state.seenRequest(request, r.time)) {
    reject("DUPLICATE_RECEIPT", `receipt ${at}: its request was already recorded`, {
      receipt: at,
      id: idHex,
    });
  }
  ctx.state.addReceipt({ id: idHex, time: r.time, request });
  return id;
}

/** Running totals of one receipt-recording tx: grants with their new `used`, per-dataset counts, batch hashes. */
interface Tally {
  provider: Agency;
  floor: number;
  grants: Map<string, Grant>;
  datasetUse: Map<string, number>;
  batchHashes: Uint8Array[];
  total: number;
}

function openTally(ctx: TxContext, batches: readonly { receipts: readonly unknown[] }[]): Tally {
  const provider = requireAgency(ctx, ctx.sender);
  requireRole(ctx, provider, "member");
  const total = batches.reduce((n, b) => n + b.receipts.length, 0);
  if (total > ctx.params.maxReceiptsPerTx) {
    reject("TOO_MANY_RECEIPTS", `${total} receipts; at most ${ctx.params.maxReceiptsPerTx}`, {
      count: total,
    });
  }
  const log = ctx.state.get(keys.receipts) ?? EMPTY_RECEIPT_LOG;
  return { provider, floor: log.floor, grants: new Map(), datasetUse: new Map(), batchHashes: [], total };
}

/**
 * Checks a batch's receipts (§8.4) and counts them against their grants; returns the receipt ids and the batch
 * hash both parties sign (§8.3).
 */
function tallyBatch(
  ctx: TxContext,
  tally: Tally,
  requesterId: string,
  receipts: readonly AccessReceipt[],
  bi: number,
): { requester: Agency; ids: Uint8Array[]; hash: Uint8Array } {
  const requester = requireAgency(ctx, requesterId);
  requireNotFrozen(ctx, "agency", requester.id);
  const ids = receipts.map((r, ri) => {
    let grant = tally.grants.get(r.grant);
    if (grant === undefined) {
      grant = requireGrant(ctx, r.grant);
      requireNotFrozen(ctx, "grant", grant.id);
      requireNotFrozen(ctx, "dataset", grant.dataset);
    }
    const id = checkReceipt(ctx, requester.id, r, `${bi}.${ri}`, grant, tally.floor);
    tally.grants.set(grant.id, { ...grant, used: grant.used + 1 });
    tally.datasetUse.set(grant.dataset, (tally.datasetUse.get(grant.dataset) ?? 0) + 1);
    return id;
  });
  const h = ctx.block.hasher;
  const hash = batchHash(h, ctx.sender, requester.id, merkleRoot(h, ids), ids.length);
  tally.batchHashes.push(hash);
  return { requester, ids, hash };
}

function requireSignature(ctx: TxContext, agency: Agency, hash: Uint8Array, sig: Uint8Array, what: string) {
  if (!ctx.block.verifier.verify(agency.keyScheme, agency.publicKey, hash, sig)) {
    reject("BAD_RECEIPT_SIGNATURE", `${what} does not verify`, { agency: agency.id });
  }
}

/** Quota of every grant met, then the writes: grants, dataset access counts, the receipt log. */
function closeTally(ctx: TxContext, tally: Tally): void {
  for (const grant of tally.grants.values()) {
    if (grant.used > grant.quota) {
      reject("QUOTA_EXCEEDED", `grant ${grant.id}: ${grant.used} of ${grant.quota}`, {
        grant: grant.id,
        used: grant.used,
        quota: grant.quota,
      });
    }
    ctx.state.set(keys.grant(grant.id), grant);
  }
  for (const [id, n] of tally.datasetUse) {
    const dataset = ctx.state.get(keys.dataset(id));
    if (dataset !== undefined)
      ctx.state.set(keys.dataset(id), { ...dataset, accessCount: dataset.accessCount + n });
  }
  const h = ctx.block.hasher;
  const log = ctx.state.get(keys.receipts) ?? EMPTY_RECEIPT_LOG;
  let batches = log.batches;
  for (const hash of tally.batchHashes) batches = mmrAppend(h, batches, hash);
  ctx.state.set(keys.receipts, { ...log, batches, receiptCount: log.receiptCount + tally.total });
}

/**
 * access.record: the provider (sender) records batches of receipts acknowledged by their requester. Every receipt
 * must match an active grant from the provider to the batch's requester, be new, fall in the time window and fit
 * the grant's quota; each batch carries both parties' signatures over the Merkle root of its receipt ids.
 */
export function recordAccess(ctx: TxContext, p: TxPayloads["access.record"]): void {
  const tally = openTally(ctx, p.batches);
  p.batches.forEach((batch: ReceiptBatch, bi) => {
    const { requester, hash } = tallyBatch(ctx, tally, batch.requester, batch.receipts, bi);
    requireSignature(ctx, requester, hash, batch.requesterSig, `batch ${bi}: requester signature`);
    requireSignature(ctx, tally.provider, hash, batch.providerSig, `batch ${bi}: provider signature`);
  });
  closeTally(ctx, tally);
  chargeRecorded(ctx, p.batches, false);
}

function badRequest(at: string, message: string): never {
  return reject("BAD_REQUEST_PROOF", `receipt ${at}: ${message}`, { receipt: at });
}

/**
 * Checks that each receipt of an attested batch answers a request its requester signed: the envelope rebuilt
 * from the receipt and its request proof hashes to the receipt's `requestHash`, the request was live at its
 * time, and one of the batch's request signatures covers that hash. Each signature is verified once.
 */
function checkRequests(ctx: TxContext, requester: Agency, batch: AttestedBatch, bi: number): void {
  if (batch.requests.length !== batch.receipts.length) {
    reject(
      "BAD_REQUEST_PROOF",
      `batch ${bi}: ${batch.requests.length} request proofs for ${batch.receipts.length} receipts`,
      {
        batch: bi,
      },
    );
  }
  const h = ctx.block.hasher;
  const verified = new Set<number>();
  batch.receipts.forEach((r, ri) => {
    const at = `${bi}.${ri}`;
    const proof = batch.requests[ri] as AttestedBatch["requests"][number];
    if (r.time >= proof.expiresAt) badRequest(at, "the request had expired at its own time");
    const rebuilt = requestEnvelopeHash(h, {
      requester: r.requester,
      provider: r.provider,
      grant: r.grant,
      dataset: r.dataset,
      queryHash: proof.queryHash,
      variablesHash: proof.variablesHash,
      nonce: r.nonce,
      time: r.time,
      expiresAt: proof.expiresAt,
    });
    if (toHex(rebuilt) !== toHex(r.requestHash)) badRequest(at, "request proof does not hash to requestHash");
    const signed = batch.signatures[proof.signature];
    if (signed === undefined) badRequest(at, `no request signature ${proof.signature}`);
    let message = r.requestHash;
    if (signed.batch !== null) {
      const n = signed.batch.length / 32;
      if (!Number.isInteger(n) || n < 2)
        badRequest(at, "a signed request batch holds at least two 32-byte hashes");
      const wanted = toHex(r.requestHash);
      let found = false;
      for (let i = 0; i < n && !found; i++)
        found = toHex(signed.batch.subarray(i * 32, i * 32 + 32)) === wanted;
      if (!found) badRequest(at, "the request is not in its signed batch");
      message = requestBatchHash(h, signed.batch);
    }
    if (verified.has(proof.signature)) return;
    if (!ctx.block.verifier.verify(requester.keyScheme, requester.publicKey, message, signed.signature)) {
      badRequest(at, "the requester's request signature does not verify");
    }
    verified.add(proof.signature);
  });
}

/**
 * access.attest: the provider (sender) records receipts its requester did not acknowledge. Each is backed by the
 * requester's own signature over the request it answered, so a provider cannot invent a call and a requester
 * cannot keep an answered call off the ledger. The receipts count against quota like acknowledged ones and are
 * kept as `attested/<id>` records, which the requester may dispute (`access.dispute`).
 */
export function attestAccess(ctx: TxContext, p: TxPayloads["access.attest"]): void {
  const tally = openTally(ctx, p.batches);
  p.batches.forEach((batch, bi) => {
    const { requester, ids, hash } = tallyBatch(ctx, tally, batch.requester, batch.receipts, bi);
    checkRequests(ctx, requester, batch, bi);
    requireSignature(ctx, tally.provider, hash, batch.providerSig, `batch ${bi}: provider signature`);
    batch.receipts.forEach((r, ri) => {
      const id = ids[ri] as Uint8Array;
      ctx.state.set(keys.attested(toHex(id)), {
        id,
        provider: r.provider,
        requester: r.requester,
        grant: r.grant,
        dataset: r.dataset,
        queryKind: r.queryKind,
        time: r.time,
        recordedAt: ctx.block.height,
        recordedTime: ctx.block.time,
        dispute: null,
      });
    });
  });
  closeTally(ctx, tally);
  chargeRecorded(ctx, p.batches, true);
}

/**
 * access.dispute: the requester (sender) states that it did not get the answers of attested receipts, with a
 * reason, while the dispute window is open. A dispute is final; it changes no quota (the call was made).
 */
export function disputeAccess(ctx: TxContext, p: TxPayloads["access.dispute"]): void {
  const requester = requireAgency(ctx, ctx.sender);
  requireRole(ctx, requester, "member");
  const seen = new Set<string>();
  for (const raw of p.receipts) {
    const id = toHex(raw);
    if (seen.has(id)) reject("INVALID_FIELD", `receipt ${id} is named twice`, { receipt: id });
    seen.add(id);
    const record = ctx.state.get(keys.attested(id));
    if (record === undefined || record.provider !== p.provider) {
      reject("UNKNOWN_RECEIPT", `no attested receipt ${id} from ${p.provider}`, { receipt: id });
    }
    if (record.requester !== ctx.sender) {
      reject("NOT_AUTHORIZED", `only its requester ${record.requester} may dispute receipt ${id}`, {
        receipt: id,
      });
    }
    if (record.dispute !== null)
      reject("ALREADY_DISPUTED", `receipt ${id} is disputed already`, { receipt: id });
    if (ctx.block.time >= record.recordedTime + ctx.params.receiptMaxAgeMs) {
      reject("DISPUTE_CLOSED", `the dispute window of receipt ${id} has closed`, { receipt: id });
    }
    disputeRecorded(ctx, record, id);
    ctx.state.set(keys.attested(id), {
      ...record,
      dispute: { reason: p.reason, height: ctx.block.height, time: ctx.block.time },
    });
  }
}
