// Evidence is part of block validity, so its format and checks live in the ledger (block/evidence.ts).
export {
  compareBlockHashes,
  decodeEvidence,
  duplicateVote,
  duplicateVoteEvidence,
  encodeEvidence,
} from "@coken/ledger";
