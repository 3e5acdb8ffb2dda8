import {
  BlockError,
  bytesEqual,
  CommittedState,
  createHasher,
  decodeBlockHeader,
  decodeCommitCertificate,
  EncodingError,
  type EpochSettlement,
  type Genesis,
  genesisHash,
  Ledger,
  type Verifier,
} from "@coken/ledger";
import { storedEvidence } from "./chain.js";
import type { Store } from "./repositories.js";
import type { StoredBlock } from "./types.js";

export type ReplayErrorCode =
  | "EMPTY_STORE"
  | "GENESIS_MISMATCH"
  | "UNDECODABLE"
  | "BLOCK_REFUSED"
  | "BLOCK_HASH_MISMATCH"
  | "RESULT_MISMATCH"
  | "APP_HASH_MISMATCH"
  | "HEIGHT_GAP"
  | "STATE_MISMATCH"
  | "BAD_SEEN_COMMIT";

/** Where a stored chain stops agreeing with its own replay. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(
    readonly code: ReplayErrorCode,
    readonly height: number,
    message: string,
  ) {
    super(`height ${height}: ${message}`);
  }
}

export interface ReplayReport {
  /** The last block replayed. */
  height: number;
  /**
   * The last block authenticated by a certificate: `height` when its seen commit is there and valid, `height - 1`
   * when the source has none for it (every earlier block is certified by the next one's lastCommit). Whole
   * trailing blocks cut off together with their certificates cannot be detected: this is what was verified.
   */
  verifiedHeight: number;
  appHash: Uint8Array;
  txs: number;
  receipts: number;
}

/** Where replayed blocks come from: a peer's own store, or another peer's API (`coken chain verify --api`). */
export interface BlockSource {
  /** The height-0 row (genesis hash as block hash, genesis app hash), or null when there is no chain. */
  genesisBlock(): Promise<StoredBlock | null>;
  /**
   * Blocks from height `from` on, ascending, at most `limit`; may return fewer before the end of the chain (a
   * remote source bounds its answers by size). An empty page ends the chain.
   */
  blocks(from: number, limit: number): Promise<StoredBlock[]>;
}

export interface ReplayOptions {
  settlement?: EpochSettlement;
  onBlock?: (height: number) => void;
  /** Stop after this height (a live chain keeps growing); default: replay until the source has no more. */
  upTo?: number;
}

/** The blocks a store holds. */
export function storeBlockSource(store: Store): BlockSource {
  return {
    genesisBlock: () => store.ledger.getBlock(0),
    blocks: (from, limit) => store.ledger.listBlocks(from, limit),
  };
}

const PAGE = 100;

function checkBlock(ledger: Ledger, stored: StoredBlock, prevCommit: Uint8Array | null) {
  const h = stored.height;
  let header: ReturnType<typeof decodeBlockHeader>;
  let lastCommit: ReturnType<typeof decodeCommitCertificate> | null;
  try {
    header = decodeBlockHeader(stored.header);
    lastCommit = prevCommit === null ? null : decodeCommitCertificate(prevCommit);
  } catch (e) {
    if (e instanceof EncodingError) throw new ReplayError("UNDECODABLE", h, e.message);
    throw e;
  }
  const block = { header, txs: stored.txs.map((t) => t.raw), evidence: storedEvidence(stored), lastCommit };
  if (!bytesEqual(ledger.blockHash(block), stored.hash)) {
    throw new ReplayError("BLOCK_HASH_MISMATCH", h, "stored hash is not the hash of the stored header");
  }
  let committed: ReturnType<Ledger["apply"]>;
  try {
    committed = ledger.apply(block);
  } catch (e) {
    if (e instanceof BlockError) throw new ReplayError("BLOCK_REFUSED", h, `${e.code}: ${e.message}`);
    throw e;
  }
  committed.outcome.txs.forEach((t, i) => {
    if (t.code !== (stored.txs[i]?.resultCode ?? null)) {
      throw new ReplayError(
        "RESULT_MISMATCH",
        h,
        `tx ${i}: replay gives ${t.code}, store says ${stored.txs[i]?.resultCode}`,
      );
    }
  });
  if (!bytesEqual(committed.appHash, stored.resultAppHash)) {
    throw new ReplayError("APP_HASH_MISMATCH", h, "replayed state root differs from the stored one");
  }
  return committed;
}

/**
 * The height certificates authenticate: the head's own certificate (the row's commit, the seen commit of the
 * newest block) is checked against the set that decided the head; without one, only the blocks below it count.
 */
function verifiedHeight(ledger: Ledger, headCommit: Uint8Array | null): number {
  const height = ledger.head.height;
  if (height === 0) return 0;
  if (headCommit === null) return height - 1;
  let check: ReturnType<Ledger["verifyHeadCommit"]>;
  try {
    check = ledger.verifyHeadCommit(decodeCommitCertificate(headCommit));
  } catch (e) {
    if (e instanceof EncodingError) throw new ReplayError("BAD_SEEN_COMMIT", height, e.message);
    throw e;
  }
  if (!check.ok) throw new ReplayError("BAD_SEEN_COMMIT", height, `certificate refused: ${check.reason}`);
  return height;
}

/** Replays the source's blocks from genesis; the ledger it returns is at the last block replayed. */
async function replayBlocks(
  source: BlockSource,
  genesis: Genesis,
  verifier: Verifier,
  options: ReplayOptions,
): Promise<{ ledger: Ledger; txs: number; receipts: number; verifiedHeight: number }> {
  const ledger = Ledger.fromGenesis(genesis, verifier, options.settlement);
  const first = await source.genesisBlock();
  if (first === null) throw new ReplayError("EMPTY_STORE", 0, "the store holds no chain");
  if (
    first.height !== 0 ||
    !bytesEqual(first.hash, genesisHash(ledger.hasher, genesis)) ||
    !bytesEqual(first.resultAppHash, ledger.head.appHash)
  ) {
    throw new ReplayError("GENESIS_MISMATCH", 0, "the stored chain starts from another genesis");
  }
  const upTo = options.upTo ?? Number.POSITIVE_INFINITY;
  let prevCommit = first.commit;
  let txs = 0;
  let receipts = 0;
  while (ledger.head.height < upTo) {
    const from = ledger.head.height + 1;
    const page = await source.blocks(from, Math.min(PAGE, upTo - ledger.head.height));
    if (page.length === 0) break;
    for (const stored of page) {
      if (stored.height !== ledger.head.height + 1)
        throw new ReplayError(
          "HEIGHT_GAP",
          ledger.head.height + 1,
          `the source gave height ${stored.height}`,
        );
      const committed = checkBlock(ledger, stored, prevCommit);
      prevCommit = stored.commit;
      txs += stored.txs.length;
      receipts += committed.outcome.receipts.length;
      options.onBlock?.(stored.height);
      if (ledger.head.height >= upTo) break;
    }
  }
  return { ledger, txs, receipts, verifiedHeight: verifiedHeight(ledger, prevCommit) };
}

/**
 * Re-executes the blocks of any source from genesis with the pure ledger and checks, block by block, the block
 * hash, the certificate of the previous block (header checks 10 and 11), each tx's result and the app hash the
 * source gives, then the newest block's own certificate. Reads only; the caller checks the end state.
 */
export async function replayChain(
  source: BlockSource,
  genesis: Genesis,
  verifier: Verifier,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const { ledger, txs, receipts, verifiedHeight } = await replayBlocks(source, genesis, verifier, options);
  return { height: ledger.head.height, verifiedHeight, appHash: ledger.head.appHash, txs, receipts };
}

/**
 * Re-executes every stored block from genesis with the pure ledger and checks, block by block, the block hash,
 * each tx's result and the app hash; finally checks that the stored state is the replayed state. Reads only.
 */
export async function replayStoredChain(
  store: Store,
  genesis: Genesis,
  verifier: Verifier,
  options: { settlement?: EpochSettlement; onBlock?: (height: number) => void } = {},
): Promise<ReplayReport> {
  const { ledger, txs, receipts, verifiedHeight } = await replayBlocks(
    storeBlockSource(store),
    genesis,
    verifier,
    options,
  );
  const snapshot = await store.ledger.loadState();
  let storedRoot: Uint8Array;
  try {
    storedRoot = CommittedState.fromEncoded(createHasher(genesis.hashAlgorithm), snapshot.entries).appHash();
  } catch (e) {
    if (e instanceof EncodingError) throw new ReplayError("STATE_MISMATCH", ledger.head.height, e.message);
    throw e;
  }
  if (snapshot.height !== ledger.head.height || !bytesEqual(storedRoot, ledger.head.appHash)) {
    throw new ReplayError("STATE_MISMATCH", ledger.head.height, "the stored state is not the replayed state");
  }
  return { height: ledger.head.height, verifiedHeight, appHash: ledger.head.appHash, txs, receipts };
}
