import { setTimeout as sleep } from "node:timers/promises";
import {
  blockHash,
  bytesEqual,
  type CommitCertificate,
  createHasher,
  createVerifier,
  decodeBlockHeader,
  decodeCommitCertificate,
  decodeRecord,
  decodeTx,
  derivedId,
  EncodingError,
  fromHex,
  type HashAlgorithm,
  type Hasher,
  keys,
  type SmtProof,
  stateKeyHash,
  stateValueHash,
  toHex,
  txId,
  txRoot,
  type ValidatorKey,
  type Voucher,
  validatorsHash,
  verifyCommit,
  verifySmtProof,
} from "@coken/ledger";
import type { ProvedRecordJson, StateProofJson } from "@coken/peer";
import { BlockJsonError, blockFromJson } from "@coken/peer/config";
import type { StoredBlock } from "@coken/store";
import { errorOf, requestJson } from "./remote-api.js";

// `coken credits voucher verify` (docs/spec/credits.md §7.4): the record `voucher/<id>` with its SMT proof against
// the app hash of a block whose commit certificate verifies, and the credit.redeem tx that wrote it.

export type VoucherCheckCode =
  | "UNKNOWN_VOUCHER"
  | "BAD_PROOF"
  | "NOT_CERTIFIED"
  | "VOUCHER_MISMATCH"
  | "NO_REDEEM_TX"
  | "BAD_RESPONSE";

/** Why a voucher did not verify; `code` is stable, the message says what was seen. */
export class VoucherCheckError extends Error {
  override readonly name = "VoucherCheckError";
  constructor(
    readonly code: VoucherCheckCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the holder or the issuer claims the voucher says; each given field must match the ledger's record. */
export interface VoucherClaim {
  holder?: string;
  issuer?: string;
  offer?: string;
  quantity?: number;
}

export interface VerifiedVoucher {
  voucher: Voucher;
  /** The credit.redeem tx that wrote it. */
  tx: string;
  /** The block whose header carries the app hash the record is proved against, and its certificate. */
  certified: {
    height: number;
    blockHash: string;
    appHash: string;
    signers: string[];
    power: number;
    total: number;
  };
}

export interface VoucherCheckOptions {
  api: string;
  chainId: string;
  hashAlgorithm: HashAlgorithm;
  /** How long to wait for the block that certifies the proved state (the next one, ~one block time). */
  timeoutMs?: number;
}

const bad = (message: string) => new VoucherCheckError("BAD_RESPONSE", message);

function hexOf(v: unknown, what: string): Uint8Array {
  const b = typeof v === "string" ? fromHex(v) : undefined;
  if (b === undefined) throw bad(`the proof's ${what} is not hex`);
  return b;
}

/** The proof as sent, parsed (untrusted): a malformed answer is BAD_RESPONSE, never a crash. */
function parseProof(json: Record<string, unknown>): StateProofJson {
  const { height, appHash, records } = json;
  if (typeof height !== "number" || typeof appHash !== "string" || !Array.isArray(records))
    throw bad("the peer's /v1/state/proof answer lacks height, appHash or records");
  return json as unknown as StateProofJson;
}

/** Checks one record's proof against `root`; returns the decoded record, or null for a proved absence. */
function provedRecord(h: Hasher, root: Uint8Array, r: ProvedRecordJson) {
  const proof: SmtProof = {
    siblings: (Array.isArray(r.siblings) ? r.siblings : []).map((s, i) => hexOf(s, `sibling ${i}`)),
    other:
      r.other === null || r.other === undefined
        ? null
        : {
            keyHash: hexOf(r.other.keyHash, "other key"),
            valueHash: hexOf(r.other.valueHash, "other value"),
          },
  };
  const value = r.value === null ? null : hexOf(r.value, `value of ${r.key}`);
  const keyHash = stateKeyHash(h, r.key);
  if (!verifySmtProof(h, root, keyHash, value === null ? null : stateValueHash(h, value), proof))
    throw new VoucherCheckError(
      "BAD_PROOF",
      `the proof of ${r.key} does not lead to app hash ${toHex(root)}`,
    );
  if (value === null) return null;
  try {
    return decodeRecord(r.key, value);
  } catch (e) {
    if (e instanceof EncodingError) throw new VoucherCheckError("BAD_PROOF", `${r.key}: ${e.message}`);
    throw e;
  }
}

async function fetchProof(api: string, names: string[]): Promise<StateProofJson> {
  const query = names.map((k) => `key=${encodeURIComponent(k)}`).join("&");
  const { status, json } = await requestJson(api, `/v1/state/proof?${query}`);
  if (status !== 200)
    throw bad(`${api}/v1/state/proof answered ${status} (${errorOf(json)?.code ?? "no code"})`);
  return parseProof(json);
}

async function fetchBlock(api: string, height: number, until: number): Promise<StoredBlock> {
  for (;;) {
    const { status, json } = await requestJson(api, `/v1/chain/blocks?from=${height}&limit=1`);
    const first = status === 200 && Array.isArray(json.blocks) ? json.blocks[0] : undefined;
    if (first !== undefined) {
      try {
        return blockFromJson(first);
      } catch (e) {
        if (e instanceof BlockJsonError) throw bad(`block ${height}: ${e.message}`);
        throw e;
      }
    }
    if (Date.now() >= until)
      throw new VoucherCheckError("NOT_CERTIFIED", `block ${height} did not come (it certifies the proof)`);
    await sleep(300);
  }
}

/**
 * Reads `voucher/<id>`, the validator set and its members' agency records from one state, with proofs; retries
 * while the set it asked keys for is not the one the state names (a validator change between two reads).
 */
async function provedState(h: Hasher, api: string, id: string) {
  let members: string[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const names = [keys.voucher(id), keys.validators, ...members.map((m) => keys.agency(m))];
    const p = await fetchProof(api, names);
    const root = hexOf(p.appHash, "appHash");
    if (p.records.length !== names.length || p.records.some((r, i) => r.key !== names[i]))
      throw bad("the proof does not answer the keys asked");
    const records = p.records.map((r) => provedRecord(h, root, r));
    const validators = (records[1] as { validators: { agency: string; power: number }[] } | null)?.validators;
    if (validators === undefined)
      throw new VoucherCheckError("BAD_PROOF", "the state holds no validator set");
    const named = validators.map((v) => v.agency);
    if (named.join() === members.join()) {
      const withKeys: ValidatorKey[] = validators.flatMap((v, i) => {
        const a = records[2 + i] as { keyScheme: ValidatorKey["keyScheme"]; publicKey: Uint8Array } | null;
        return a === null ? [] : [{ ...v, keyScheme: a.keyScheme, publicKey: a.publicKey }];
      });
      return { height: p.height, root, voucher: records[0] as Voucher | null, validators, withKeys };
    }
    members = named;
  }
  throw bad("the validator set changed at every read");
}

/** The certificate of block `height` that commits `root` as its header's app hash, checked against `validators`. */
async function certify(
  h: Hasher,
  o: VoucherCheckOptions,
  state: Awaited<ReturnType<typeof provedState>>,
): Promise<VerifiedVoucher["certified"]> {
  const height = state.height + 1;
  const block = await fetchBlock(o.api, height, Date.now() + (o.timeoutMs ?? 15_000));
  let header: ReturnType<typeof decodeBlockHeader>;
  let cert: CommitCertificate;
  try {
    header = decodeBlockHeader(block.header);
    if (block.commit === null)
      throw new VoucherCheckError("NOT_CERTIFIED", `block ${height} has no certificate`);
    cert = decodeCommitCertificate(block.commit);
  } catch (e) {
    if (e instanceof EncodingError) throw bad(`block ${height}: ${e.message}`);
    throw e;
  }
  const notCertified = (why: string) => new VoucherCheckError("NOT_CERTIFIED", `block ${height}: ${why}`);
  if (header.chain !== o.chainId) throw notCertified(`of chain ${header.chain}, not ${o.chainId}`);
  if (header.height !== height) throw notCertified(`the header says height ${header.height}`);
  if (!bytesEqual(header.appHash, state.root))
    throw notCertified(
      `its header carries app hash ${toHex(header.appHash)}, not the proof's ${toHex(state.root)}`,
    );
  if (!bytesEqual(header.validatorsHash, validatorsHash(h, state.validators)))
    throw notCertified("its header names another validator set than the proved state");
  const hash = blockHash(h, header);
  const check = verifyCommit(
    h,
    createVerifier(),
    o.chainId,
    cert,
    { height, blockHash: hash },
    state.withKeys,
  );
  if (!check.ok) throw notCertified(`its certificate does not verify (${check.reason})`);
  return {
    height,
    blockHash: toHex(hash),
    appHash: toHex(state.root),
    signers: cert.signatures.map((s) => s.validator),
    power: check.power,
    total: check.total,
  };
}

/** The credit.redeem tx of block `v.height` that derived the voucher's id, checked against the block's txRoot. */
async function redeemingTx(h: Hasher, api: string, v: Voucher): Promise<string> {
  const block = await fetchBlock(api, v.height, Date.now());
  const header = decodeBlockHeader(block.header);
  if (
    !bytesEqual(
      header.txRoot,
      txRoot(
        h,
        block.txs.map((t) => t.raw),
      ),
    )
  )
    throw new VoucherCheckError("NO_REDEEM_TX", `block ${v.height}'s txs do not match its header`);
  for (const t of block.txs) {
    const tx = decodeTx(t.raw);
    const b = tx.body;
    if (
      b.kind === "credit.redeem" &&
      b.sender === v.holder &&
      derivedId(h, "voucher", b.sender, b.seq) === v.id
    )
      return toHex(txId(h, b));
  }
  throw new VoucherCheckError(
    "NO_REDEEM_TX",
    `block ${v.height} holds no credit.redeem that wrote voucher ${v.id}`,
  );
}

function checkClaim(v: Voucher, claim: VoucherClaim): void {
  const differs = (["holder", "issuer", "offer", "quantity"] as const).filter(
    (f) => claim[f] !== undefined && claim[f] !== v[f],
  );
  if (differs.length > 0)
    throw new VoucherCheckError(
      "VOUCHER_MISMATCH",
      differs
        .map((f) => `${f}: the ledger says ${String(v[f])}, the voucher presented ${String(claim[f])}`)
        .join("; "),
    );
}

/**
 * Verifies a voucher against the committed chain through a peer: the record's SMT proof against the app hash of
 * the next block, whose certificate verifies against the validator set of the same proved state; the claim's fields
 * against the record; and the credit.redeem tx in the block the voucher names. Throws VoucherCheckError.
 */
export async function verifyVoucher(
  id: string,
  claim: VoucherClaim,
  o: VoucherCheckOptions,
): Promise<VerifiedVoucher> {
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new VoucherCheckError("UNKNOWN_VOUCHER", `${id} is not a voucher id (32 hex digits)`);
  const h = createHasher(o.hashAlgorithm);
  const state = await provedState(h, o.api, id);
  const certified = await certify(h, o, state);
  if (state.voucher === null)
    throw new VoucherCheckError(
      "UNKNOWN_VOUCHER",
      `no voucher ${id} on the chain: its absence is proved against the app hash certified by block ${certified.height}`,
    );
  checkClaim(state.voucher, claim);
  const tx = await redeemingTx(h, o.api, state.voucher);
  return { voucher: state.voucher, tx, certified };
}
