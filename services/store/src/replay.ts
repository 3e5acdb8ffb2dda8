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
  | "STATE_MISMATCH";

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
  height: number;
  appHash: Uint8Array;
  txs: number;
  receipts: number;
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
 * Re-executes every stored block from genesis with the pure ledger and checks, block by block, the block hash,
 * each tx's result and the app hash; finally checks that the stored state is the replayed state. Reads only.
 */
export async function replayStoredChain(
  store: Store,
  genesis: Genesis,
  verifier: Verifier,
  options: { settlement?: EpochSettlement; onBlock?: (height: number) => void } = {},
): Promise<ReplayReport> {
  const ledger = Ledger.fromGenesis(genesis, verifier, options.settlement);
  const first = await store.ledger.getBlock(0);
  if (first === null) throw new ReplayError("EMPTY_STORE", 0, "the store holds no chain");
  if (
    !bytesEqual(first.hash, genesisHash(ledger.hasher, genesis)) ||
    !bytesEqual(first.resultAppHash, ledger.head.appHash)
  ) {
    throw new ReplayError("GENESIS_MISMATCH", 0, "the stored chain starts from another genesis");
  }
  let prevCommit = first.commit;
  let txs = 0;
  let receipts = 0;
  for (let from = 1; ; from += PAGE) {
    const page = await store.ledger.listBlocks(from, PAGE);
    for (const stored of page) {
      const committed = checkBlock(ledger, stored, prevCommit);
      prevCommit = stored.commit;
      txs += stored.txs.length;
      receipts += committed.outcome.receipts.length;
      options.onBlock?.(stored.height);
    }
    if (page.length < PAGE) break;
  }
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
  return { height: ledger.head.height, appHash: ledger.head.appHash, txs, receipts };
}
