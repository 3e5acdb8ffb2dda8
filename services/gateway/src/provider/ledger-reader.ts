import type { RecordKind, StateKey, StateRecords } from "@coken/ledger";

/**
 * The gateway's only window on the ledger: committed records by state key (`keys.*` of @coken/ledger). A peer
 * passes its `chain.ledger.state`; tests pass a map.
 */
export interface LedgerReader {
  get<K extends RecordKind>(key: StateKey<K>): StateRecords[K] | undefined;
}
