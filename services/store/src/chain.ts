import {
  type Block,
  bytesEqual,
  type CborValue,
  type CommitCertificate,
  CommitError,
  type CommittedBlock,
  CommittedState,
  createHasher,
  decodeBlockHeader,
  decodeCbor,
  decodeCommitCertificate,
  decodeValidatorKeys,
  EncodingError,
  type EpochSettlement,
  encodeCbor,
  encodeCommitCertificate,
  encodeRecord,
  encodeValidatorKeys,
  type Genesis,
  genesisHash,
  type Hasher,
  blockHash as headerHash,
  keys,
  Ledger,
  toHex,
  type ValidatorKey,
  type Verifier,
  validatorsHash,
} from "@coken/ledger";
import { HEAD_VALIDATORS_KEY } from "./block-writer.js";
import { StoreError } from "./errors.js";
import type { Store } from "./repositories.js";
import type { BlockCommit, StoredReceipt } from "./types.js";

const ZERO_HASH = new Uint8Array(32);
const RECEIPT_PAGE = 1000;

/**
 * The store row for a committed block: header bytes, its certificate (seen commit), every tx with its result, the
 * encoded state writes and the receipts of applied `access.record` txs; the block's lastCommit becomes the previous
 * row's certificate, and `validators` (the set that decided the block) is kept to resume from.
 */
export function toBlockCommit(
  block: Block,
  committed: CommittedBlock,
  hasher: Parameters<typeof headerHash>[0],
  certificate: CommitCertificate,
  validators: readonly ValidatorKey[],
): BlockCommit {
  const { outcome } = committed;
  const receipts: StoredReceipt[] = outcome.receipts.map((r) => ({
    id: r.id,
    height: outcome.height,
    txHash: r.txId,
    index: r.index,
    provider: r.receipt.provider,
    requester: r.receipt.requester,
    dataset: r.receipt.dataset,
    grantId: r.receipt.grant,
    timeMs: r.receipt.time,
    requestHash: r.receipt.requestHash,
    resultHash: r.receipt.resultHash,
    proofHash: r.receipt.proofHash,
    nonce: r.receipt.nonce,
  }));
  return {
    block: {
      height: block.header.height,
      hash: headerHash(hasher, block.header),
      prevHash: block.header.prevHash,
      timeMs: block.header.time,
      proposer: block.header.proposer,
      appHash: block.header.appHash,
      resultAppHash: committed.appHash,
      header: encodeCbor(block.header as unknown as CborValue),
      commit: encodeCommitCertificate(certificate),
      evidence: block.evidence.length === 0 ? null : encodeCbor(block.evidence),
      txs: block.txs.map((raw, index) => {
        const t = outcome.txs[index];
        // A tx that did not decode is stored under the hash of its raw bytes, with sender "" and kind "".
        const tx = t?.tx ?? null;
        return {
          hash: t?.id ?? hasher.hash("tx.raw", raw),
          index,
          kind: tx?.body.kind ?? "",
          sender: tx?.body.sender ?? "",
          seq: tx?.body.seq ?? 0,
          resultCode: t?.code ?? null,
          raw,
        };
      }),
    },
    previousCommit: block.lastCommit === null ? null : encodeCommitCertificate(block.lastCommit),
    validators: encodeValidatorKeys(validators),
    stateWrites: committed.writes,
    receipts,
  };
}

/** The evidence items of a stored block (see `toBlockCommit`). */
export function storedEvidence(stored: { evidence: Uint8Array | null }): Uint8Array[] {
  return stored.evidence === null ? [] : (decodeCbor(stored.evidence) as Uint8Array[]);
}

/** Height-0 row: the genesis document's hash as block hash and the whole genesis state as writes. */
function genesisCommit(ledger: Ledger, genesis: Genesis): BlockCommit {
  const h = ledger.hasher;
  return {
    block: {
      height: 0,
      hash: genesisHash(h, genesis),
      prevHash: ZERO_HASH,
      timeMs: genesis.genesisTime,
      proposer: "",
      appHash: ZERO_HASH,
      resultAppHash: ledger.state.appHash(),
      header: encodeCbor(genesis as unknown as CborValue),
      commit: null,
      evidence: null,
      txs: [],
    },
    previousCommit: null,
    validators: null,
    stateWrites: ledger.state.entries().map(([key, record]) => ({ key, value: encodeRecord(record) })),
    receipts: [],
  };
}

/**
 * A ledger backed by a store: opens at the stored head (verifying that the stored state hashes to the stored
 * app hash), or at genesis on first start. Blocks are persisted with `persist`, each in one transaction.
 */
export class StoredLedger {
  private failed: unknown = null;

  private constructor(
    readonly ledger: Ledger,
    private readonly store: Store,
  ) {}

  static async open(
    store: Store,
    genesis: Genesis,
    verifier: Verifier,
    settlement?: EpochSettlement,
  ): Promise<StoredLedger> {
    const latest = await store.ledger.latestHeight();
    const hasher = createHasher(genesis.hashAlgorithm);
    if (latest === null) {
      const ledger = Ledger.fromGenesis(genesis, verifier, settlement);
      await store.ledger.commitBlock(genesisCommit(ledger, genesis));
      return new StoredLedger(ledger, store);
    }
    const first = await store.ledger.getBlock(0);
    if (first === null || !bytesEqual(first.hash, genesisHash(hasher, genesis))) {
      throw new StoreError("INVALID_ARGUMENT", "the store holds a chain with another genesis", {
        argument: "genesis",
      });
    }
    const [head, snapshot] = await Promise.all([store.ledger.getBlock(latest), store.ledger.loadState()]);
    if (head === null || snapshot.height !== latest) {
      throw new StoreError("DATABASE", "stored state height differs from the latest block", {
        height: latest,
      });
    }
    const state = CommittedState.fromEncoded(hasher, snapshot.entries);
    if (!bytesEqual(state.appHash(), head.resultAppHash)) {
      throw new StoreError("DATABASE", "stored state does not hash to the stored app hash", {
        height: latest,
      });
    }
    const ledger = Ledger.resume(
      state,
      {
        chain: genesis.chainId,
        height: latest,
        hash: head.hash,
        time: head.timeMs,
        appHash: head.resultAppHash,
        validators: latest === 0 ? [] : await headValidators(store, hasher, head.header),
      },
      verifier,
      settlement,
    );
    await restoreReceiptWindow(store, ledger);
    return new StoredLedger(ledger, store);
  }

  /** The newest block's certificate as stored (its seen commit); null at genesis. */
  async headCommit(): Promise<CommitCertificate | null> {
    const head = await this.store.ledger.getBlock(this.ledger.head.height);
    return head?.commit ? decodeCommitCertificate(head.commit) : null;
  }

  /**
   * Executes and commits a block decided by `certificate` (its seen commit, checked against the validator set in
   * force for it: a block is never stored without one), then persists both in one database transaction. Throws
   * `CommitError` (nothing changed) if the certificate is refused, `BlockError` if the block is. If persisting
   * fails, memory is ahead of the store: this instance refuses further use and must be reopened from the store,
   * which the failed transaction left at the previous block.
   */
  async apply(block: Block, certificate: CommitCertificate): Promise<CommittedBlock> {
    if (this.failed !== null) {
      throw new StoreError(
        "DATABASE",
        "a block failed to persist; reopen the ledger from the store",
        {},
        { cause: this.failed },
      );
    }
    const check = this.ledger.verifyNextCommit(certificate, block);
    if (!check.ok) {
      throw new CommitError(
        check.reason,
        block.header.height,
        `certificate of block ${block.header.height}: ${check.reason}`,
      );
    }
    const committed = this.ledger.apply(block);
    try {
      await this.store.ledger.commitBlock(
        toBlockCommit(block, committed, this.ledger.hasher, certificate, this.ledger.head.validators),
      );
    } catch (e) {
      this.failed = e;
      throw e;
    }
    return committed;
  }
}

/** The validator set that decided the newest stored block, checked against that block's validatorsHash. */
async function headValidators(store: Store, hasher: Hasher, header: Uint8Array): Promise<ValidatorKey[]> {
  const raw = await store.ledger.getMeta(HEAD_VALIDATORS_KEY);
  let validators: ValidatorKey[];
  let expected: Uint8Array;
  try {
    if (raw === null) throw new EncodingError("SCHEMA", "missing", "validators");
    validators = decodeValidatorKeys(raw);
    expected = decodeBlockHeader(header).validatorsHash;
  } catch (e) {
    if (!(e instanceof EncodingError)) throw e;
    throw new StoreError("DATABASE", `the validators of the newest block are unreadable: ${e.message}`, {});
  }
  if (!bytesEqual(validatorsHash(hasher, validators), expected)) {
    throw new StoreError("DATABASE", "the stored validators are not those of the newest block", {});
  }
  return validators;
}

async function restoreReceiptWindow(store: Store, ledger: Ledger): Promise<void> {
  const params = ledger.state.get(keys.params);
  if (params === undefined) return;
  let after: string | undefined;
  do {
    const page = await store.ledger.queryReceipts({
      fromMs: ledger.head.time - params.receiptMaxAgeMs,
      limit: RECEIPT_PAGE,
      ...(after ? { after } : {}),
    });
    ledger.state.rememberReceipts(
      page.receipts.map((r) => ({ id: toHex(r.id), time: r.timeMs, request: toHex(r.requestHash) })),
    );
    after = page.next ?? undefined;
  } while (after !== undefined);
}
