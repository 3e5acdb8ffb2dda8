import {
  type AccessReceipt,
  type Block,
  BlockError,
  type BlockOutcome,
  bytesEqual,
  type CommitCertificate,
  decodeEvidence,
  EncodingError,
  type Genesis,
  type Hasher,
  keys,
  Ledger,
  type RecordedReceiptKey,
  type SignedTx,
  toHex,
  type Verifier,
  verifyTxSignature,
} from "@coken/ledger";
import { noProofHash, type PendingProof, pendingCommitment } from "./proofs.js";
import { checkReceiptSignatures } from "./receipts.js";
import { type AnomalyKind, type AuditStats, addAnomaly, countAccess, emptyStats } from "./stats.js";

export type DiscrepancyCode =
  | "ARCHIVE"
  | "GENESIS_MISMATCH"
  | "HEIGHT_GAP"
  | "BLOCK_HASH"
  | "BLOCK_REFUSED"
  | "RESULT_MISMATCH"
  | "APP_HASH_MISMATCH"
  | "BAD_SEEN_COMMIT"
  | "TX_SIGNATURE"
  | "TX_SEQUENCE"
  | "RECEIPT_SIGNATURE"
  | "PROOF_HASH"
  | "PROOF_INVALID"
  | "PROOF_MISSING"
  | "KEY_INVALID"
  | "SOURCE";

/** One thing that does not check, with where it is. */
export interface Discrepancy {
  code: DiscrepancyCode;
  height: number;
  tx?: number;
  receipt?: string;
  reason: string;
}

/** One block as a source gives it, with what the source claims of it (each claim is checked when given). */
export interface AuditBlock {
  height: number;
  block: Block;
  /** The block hash the source names it by. */
  hash?: Uint8Array;
  /** State root after the block, as the source's store gives it. */
  appHash?: Uint8Array;
  /** Per-tx outcome codes as the source recorded them. */
  results?: readonly (string | null)[];
}

export interface AuditorOptions {
  verifier: Verifier;
  /** A grant taking at least this share of its quota in one block is a quota burst (default 0.5). */
  burstShare?: number;
  /**
   * Verify every applied tx's signature and every receipt's acknowledgement a second time, after re-execution
   * (which already refuses a tx whose signatures do not verify). Off by default: it repeats what the replay proves
   * and costs as much again; on, it cross-checks the verifier itself.
   */
  recheckSignatures?: boolean;
}

/** Refusal codes worth an anomaly line, by the anomaly they are. */
const DAY_MS = 86_400_000;

/** Start of the UTC day of `time` (ms): receipts are counted per day. */
const dayOf = (time: number) => time - (((time % DAY_MS) + DAY_MS) % DAY_MS);

const REFUSAL_ANOMALY: Partial<Record<string, AnomalyKind>> = {
  QUOTA_EXCEEDED: "quotaRefused",
  GRANT_INACTIVE: "outsideGrantWindow",
  RECEIPT_TIME: "outsideGrantWindow",
  BAD_SIGNATURE: "refusedSignature",
  BAD_RECEIPT_SIGNATURE: "refusedSignature",
  BAD_REQUEST_PROOF: "refusedSignature",
  FROZEN: "frozenAttempt",
};

/**
 * Replays a chain block by block through the pure ledger (header, certificate, evidence, txs with their signatures
 * and every receipt's acknowledgement, end-of-block rules including 共票 settlement, app hash) and checks on its own
 * what re-execution does not: the source's claimed state roots and tx results, sequence numbers as a separate
 * count, the newest block's seen commit, and (later) the stored proofs of proved receipts. Signatures are verified
 * once, by re-execution; `recheckSignatures` verifies them again. A block that does not replay stops the audit.
 */
export class Auditor {
  readonly stats: AuditStats;
  readonly discrepancies: Discrepancy[];
  readonly pendingProofs: Map<string, PendingProof>;
  readonly hasher: Hasher;
  /** Ids and request hashes of recent receipts (the ledger's duplicate window), kept for checkpoints. */
  window: RecordedReceiptKey[];
  verifiedHeight: number;
  stopped = false;
  private readonly noProof: Uint8Array;
  private readonly burstShare: number;

  constructor(
    readonly ledger: Ledger,
    private readonly options: AuditorOptions,
    restored?: Partial<
      Pick<Auditor, "stats" | "discrepancies" | "pendingProofs" | "window" | "verifiedHeight">
    >,
  ) {
    this.hasher = ledger.hasher;
    this.stats = restored?.stats ?? emptyStats();
    this.discrepancies = restored?.discrepancies ?? [];
    this.pendingProofs = restored?.pendingProofs ?? new Map();
    this.window = restored?.window ?? [];
    this.verifiedHeight = restored?.verifiedHeight ?? ledger.head.height;
    this.noProof = noProofHash(this.hasher);
    this.burstShare = options.burstShare ?? 0.5;
  }

  static fromGenesis(genesis: Genesis, options: AuditorOptions): Auditor {
    return new Auditor(Ledger.fromGenesis(genesis, options.verifier), options);
  }

  get height(): number {
    return this.ledger.head.height;
  }

  get ok(): boolean {
    return this.discrepancies.length === 0;
  }

  /** Records a discrepancy; a fatal one stops the replay (nothing after it can be judged). */
  fail(d: Discrepancy, fatal = false): void {
    this.discrepancies.push(d);
    if (fatal) this.stopped = true;
  }

  /** Replays the next block; returns false once the audit has stopped. */
  block(input: AuditBlock): boolean {
    if (this.stopped) return false;
    const height = this.height + 1;
    if (input.height !== height) {
      this.fail({ code: "HEIGHT_GAP", height, reason: `the source gave height ${input.height}` }, true);
      return false;
    }
    if (input.hash !== undefined && !bytesEqual(this.ledger.blockHash(input.block), input.hash)) {
      this.fail(
        { code: "BLOCK_HASH", height, reason: "the block's hash is not the hash of its header" },
        true,
      );
      return false;
    }
    let outcome: BlockOutcome;
    try {
      outcome = this.ledger.execute(input.block);
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      this.fail({ code: "BLOCK_REFUSED", height, reason: `${e.code}: ${e.message}` }, true);
      return false;
    }
    this.beforeCommit(input, outcome);
    this.ledger.commit(outcome);
    this.afterCommit(input, outcome);
    this.verifiedHeight = height - 1;
    return !this.stopped;
  }

  /** Checks the newest block's own certificate (its seen commit). */
  seenCommit(certificate: CommitCertificate): void {
    const check = this.ledger.verifyHeadCommit(certificate);
    if (check.ok) this.verifiedHeight = this.height;
    else
      this.fail({
        code: "BAD_SEEN_COMMIT",
        height: this.height,
        reason: `certificate refused: ${check.reason}`,
      });
  }

  /** Checks read against the state before the block: sequence numbers, commitments in force, quota bursts. */
  private beforeCommit(input: AuditBlock, outcome: BlockOutcome): void {
    const state = this.ledger.state;
    const height = outcome.height;
    const nextSeq = new Map<string, number>();
    if (input.results !== undefined && input.results.length !== outcome.txs.length)
      this.fail({
        code: "RESULT_MISMATCH",
        height,
        reason: `${input.results.length} results for ${outcome.txs.length} txs`,
      });
    outcome.txs.forEach((t, i) => {
      const claimed = input.results?.[i];
      if (claimed !== undefined && claimed !== t.code)
        this.fail({
          code: "RESULT_MISMATCH",
          height,
          tx: i,
          reason: `replay gives ${t.code ?? "applied"}, the source says ${claimed ?? "applied"}`,
        });
      if (t.code !== null || t.tx === null) return;
      const { sender, seq, kind } = t.tx.body;
      const expected =
        nextSeq.get(sender) ?? (kind === "agency.register" ? 0 : (state.get(keys.account(sender))?.seq ?? 0));
      if (seq !== expected)
        this.fail({
          code: "TX_SEQUENCE",
          height,
          tx: i,
          reason: `${sender} seq ${seq}, expected ${expected}`,
        });
      nextSeq.set(sender, seq + 1);
    });
    const perGrant = new Map<string, number>();
    for (const r of outcome.receipts) {
      perGrant.set(r.receipt.grant, (perGrant.get(r.receipt.grant) ?? 0) + 1);
      if (bytesEqual(r.receipt.proofHash, this.noProof)) {
        this.stats.proofs.notRequired++;
        continue;
      }
      const hex = toHex(r.id);
      const dataset = state.get(keys.dataset(r.receipt.dataset));
      this.pendingProofs.set(hex, {
        height,
        tx: outcome.txs.findIndex((t) => t.id !== null && bytesEqual(t.id, r.txId)),
        receipt: hex,
        dataset: r.receipt.dataset,
        queryKind: r.receipt.queryKind,
        proofHash: toHex(r.receipt.proofHash),
        commitment: pendingCommitment(dataset?.commitment),
      });
    }
    for (const [grant, n] of perGrant) {
      const g = state.get(keys.grant(grant));
      if (g !== undefined && n >= 2 && n >= g.quota * this.burstShare)
        addAnomaly(this.stats, {
          kind: "quotaBurst",
          height,
          grant,
          agency: g.grantee,
          detail: `${n} receipts in one block, quota ${g.quota}`,
        });
    }
  }

  /** Checks that need the keys (read after the block: agency keys never change) and the counting. */
  private afterCommit(input: AuditBlock, outcome: BlockOutcome): void {
    const state = this.ledger.state;
    const height = outcome.height;
    const h = this.hasher;
    const agencyOf = (id: string) => state.get(keys.agency(id));
    const s = this.stats;
    s.blocks++;
    s.txs += outcome.txs.length;
    if (input.appHash !== undefined && !bytesEqual(input.appHash, this.ledger.head.appHash))
      this.fail({
        code: "APP_HASH_MISMATCH",
        height,
        reason: `the source's state root ${toHex(input.appHash)} is not the replay's ${toHex(this.ledger.head.appHash)}`,
      });
    for (const raw of input.block.evidence) {
      try {
        const e = decodeEvidence(raw);
        addAnomaly(s, {
          kind: "doubleSign",
          height,
          agency: e.voteA.validator,
          detail: `${e.voteA.type} at height ${e.voteA.height} round ${e.voteA.round}`,
        });
      } catch (err) {
        if (!(err instanceof EncodingError)) throw err;
      }
    }
    outcome.txs.forEach((t, i) => {
      if (t.code !== null) {
        s.refused[t.code] = (s.refused[t.code] ?? 0) + 1;
        const kind = REFUSAL_ANOMALY[t.code];
        if (kind !== undefined)
          addAnomaly(s, {
            kind,
            height,
            tx: i,
            ...(t.tx ? { agency: t.tx.body.sender } : {}),
            detail: `${t.tx?.body.kind ?? "tx"} refused ${t.code}`,
          });
        return;
      }
      if (t.tx === null) return;
      this.checkApplied(t.tx, i, height, outcome.time);
      if (this.options.recheckSignatures !== true) return;
      const sender = agencyOf(t.tx.body.sender);
      if (
        sender === undefined ||
        !verifyTxSignature(h, this.options.verifier, sender.keyScheme, sender.publicKey, t.tx)
      )
        this.fail({
          code: "TX_SIGNATURE",
          height,
          tx: i,
          reason: `the signature of ${t.tx.body.sender} does not verify`,
        });
    });
    // Receipts come in runs of one grant and one day (a batch): count each run once, not each receipt.
    const receipts = outcome.receipts;
    for (let start = 0; start < receipts.length; ) {
      const first = (receipts[start] as (typeof receipts)[number]).receipt;
      const day = dayOf(first.time);
      let end = start + 1;
      while (end < receipts.length) {
        const r = (receipts[end] as (typeof receipts)[number]).receipt;
        if (r.grant !== first.grant || dayOf(r.time) !== day) break;
        end++;
      }
      this.countRun(first, end - start);
      start = end;
    }
    const epoch = outcome.diff.writes.get(keys.epoch) as { number: number } | null | undefined;
    if (epoch) s.settlements.push({ epoch: epoch.number - 1, height });
    this.automaticFreezes(outcome);
    for (const r of outcome.diff.receipts) this.window.push(r);
    const floor = state.get(keys.receipts)?.floor ?? 0;
    if (this.window.length > 0 && (this.window[0]?.time ?? floor) < floor - 60_000)
      this.window = this.window.filter((r) => r.time >= floor - 60_000);
  }

  /** Counts `n` receipts of one grant on one day (by agency, region and grant). */
  private countRun(r: AccessReceipt, n: number): void {
    const s = this.stats;
    const state = this.ledger.state;
    const requester = state.get(keys.agency(r.requester));
    const provider = state.get(keys.agency(r.provider));
    if (requester && provider) countAccess(s, r.time, requester, provider, n);
    const g = state.get(keys.grant(r.grant));
    const use = s.grants[r.grant] ?? {
      grant: r.grant,
      dataset: r.dataset,
      grantor: r.provider,
      grantee: r.requester,
      quota: g?.quota ?? 0,
      receipts: 0,
      used: 0,
    };
    s.grants[r.grant] = use;
    use.receipts += n;
    use.used = g?.used ?? use.used;
  }

  private checkApplied(tx: SignedTx, i: number, height: number, time: number): void {
    const s = this.stats;
    const body = tx.body;
    switch (body.kind) {
      case "access.record":
      case "access.attest": {
        const n = body.payload.batches.reduce((k, b) => k + b.receipts.length, 0);
        if (body.kind === "access.record") s.receipts.acknowledged += n;
        else s.receipts.attested += n;
        if (this.options.recheckSignatures !== true) break;
        for (const p of checkReceiptSignatures(this.hasher, this.options.verifier, tx, (id) =>
          this.ledger.state.get(keys.agency(id)),
        ))
          this.fail({ code: "RECEIPT_SIGNATURE", height, tx: i, receipt: p.receipt, reason: p.reason });
        break;
      }
      case "access.dispute":
        for (const id of body.payload.receipts) {
          s.receipts.disputed++;
          addAnomaly(s, {
            kind: "dispute",
            height,
            tx: i,
            receipt: toHex(id),
            agency: body.sender,
            detail: `disputed against ${body.payload.provider}: ${body.payload.reason}`,
          });
        }
        break;
      case "regulator.freeze":
      case "regulator.unfreeze":
        s.freezes.push({
          height,
          time,
          action: body.kind === "regulator.freeze" ? "freeze" : "unfreeze",
          kind: body.payload.target.kind,
          id: body.payload.target.id,
          reason: body.payload.reason,
          by: body.sender,
        });
        break;
      default:
        break;
    }
  }

  /** Freezes the block wrote that no freeze tx of it made: the ledger's own rules. */
  private automaticFreezes(outcome: BlockOutcome): void {
    const manual = new Set(
      this.stats.freezes.filter((f) => f.height === outcome.height).map((f) => `freeze/${f.kind}/${f.id}`),
    );
    for (const [key, value] of outcome.diff.writes) {
      if (!key.startsWith("freeze/") || manual.has(key) || value === null) continue;
      const f = value as { kind: string; id: string; reason: string; by: string; time: number };
      this.stats.freezes.push({
        height: outcome.height,
        time: f.time,
        action: "freeze",
        kind: f.kind,
        id: f.id,
        reason: f.reason,
        by: f.by,
      });
    }
  }
}
