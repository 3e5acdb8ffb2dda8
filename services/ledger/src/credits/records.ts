import { array, type Decoder, nullable, struct, text, u64, uint } from "../encoding/codec.js";
import { agencyId, datasetId, derivedId, region, shortText } from "../encoding/fields.js";
import type {
  CreditSupply,
  Earnings,
  EpochStanding,
  Offer,
  PendingBucket,
  QualityFacts,
  Relation,
  SettlementIndex,
  Voucher,
} from "./model.js";

/** Most agencies or entries a credit record may hold (a registry is far smaller). */
export const CREDIT_LIMITS = { agencies: 100_000, entries: 1_000_000, offerText: 1024 } as const;

/** The credit records and their key prefixes (docs/spec/credits.md §3). */
export interface CreditRecords {
  supply: CreditSupply;
  settlement: SettlementIndex;
  earnings: Earnings;
  pending: PendingBucket;
  quality: QualityFacts;
  relation: Relation;
  offer: Offer;
  voucher: Voucher;
  standing: EpochStanding;
}

const standingLine = {
  reward: u64,
  fees: u64,
  consumers: uint,
  quality: uint,
  score: uint,
};

export const creditRecordDecoders: { [K in keyof CreditRecords]: Decoder<CreditRecords[K]> } = {
  supply: struct({ minted: u64, burned: u64, escrow: u64 }),
  settlement: struct({
    providers: array(agencyId, CREDIT_LIMITS.agencies),
    pending: array(uint, CREDIT_LIMITS.entries),
  }),
  earnings: struct({
    consumers: array(
      struct({ agency: agencyId, receipts: uint, fees: u64, burned: u64 }),
      CREDIT_LIMITS.agencies,
    ),
    datasets: array(struct({ dataset: datasetId, receipts: uint }), CREDIT_LIMITS.entries),
  }),
  pending: struct({
    recordedTime: uint,
    entries: array(
      struct({
        provider: agencyId,
        requester: agencyId,
        dataset: datasetId,
        share: u64,
        burn: u64,
        receipts: uint,
      }),
      CREDIT_LIMITS.entries,
    ),
  }),
  quality: struct({
    commits: uint,
    onTime: uint,
    lastCommitTime: nullable(uint),
    disputed: uint,
    unpaid: uint,
  }),
  relation: struct({ agencies: array(agencyId, 2, 2), height: uint }) as Decoder<Relation>,
  offer: struct({
    id: datasetId,
    issuer: agencyId,
    title: shortText,
    description: text(CREDIT_LIMITS.offerText),
    price: u64,
    stock: uint,
    redeemed: uint,
    updatedAt: uint,
  }),
  voucher: struct({
    id: derivedId,
    offer: datasetId,
    issuer: agencyId,
    holder: agencyId,
    quantity: uint,
    amount: u64,
    reference: shortText,
    height: uint,
    time: uint,
  }),
  standing: struct({
    epoch: uint,
    height: uint,
    time: uint,
    minted: u64,
    agencies: array(
      struct({ agency: agencyId, region, ...standingLine, fees: u64, receipts: uint }),
      CREDIT_LIMITS.agencies,
    ),
    regions: array(struct({ region, ...standingLine, agencies: uint }), CREDIT_LIMITS.agencies),
  }),
};
