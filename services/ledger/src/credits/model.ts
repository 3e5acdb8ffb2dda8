import type { AgencyId, DatasetId } from "../model.js";

/**
 * Credits created and destroyed since genesis, and credits held for providers until their receipts count.
 * At every height: Σ account balances + escrow = genesis allocation + minted − burned (docs/spec/credits.md §2).
 */
export interface CreditSupply {
  minted: bigint;
  burned: bigint;
  escrow: bigint;
}

/** What the end-of-block and epoch rules still have to visit: this epoch's providers and the open attest buckets. */
export interface SettlementIndex {
  /** Providers with an `earnings` record this epoch, ascending. */
  providers: AgencyId[];
  /** Heights with a `pending` bucket (attested receipts inside their dispute window), ascending. */
  pending: number[];
}

/** Counted use of one provider by one consumer this epoch. */
export interface ConsumerUse {
  agency: AgencyId;
  receipts: number;
  /** Fees the consumer paid for these receipts (provider share + burned share). */
  fees: bigint;
  /** The burned share of those fees. */
  burned: bigint;
}

export interface DatasetUse {
  dataset: DatasetId;
  receipts: number;
}

/** A provider's counted receipts of the current epoch, by consumer and by dataset (both ascending). */
export interface Earnings {
  consumers: ConsumerUse[];
  datasets: DatasetUse[];
}

/** Attested receipts recorded at one height with the same provider, requester, dataset and fee split. */
export interface PendingEntry {
  provider: AgencyId;
  requester: AgencyId;
  dataset: DatasetId;
  /** Provider share of one receipt's fee, held in escrow. */
  share: bigint;
  /** Burned share of one receipt's fee (burned at recording). */
  burn: bigint;
  receipts: number;
}

/** Attested receipts of one block, counted once their dispute window closes (docs/spec/credits.md §4). */
export interface PendingBucket {
  recordedTime: number;
  entries: PendingEntry[];
}

/** Ledger facts a dataset's quality score is computed from (docs/spec/credits.md §6). */
export interface QualityFacts {
  commits: number;
  /** Commitments after the first that came within 1.5 update periods of the one before. */
  onTime: number;
  lastCommitTime: number | null;
  /** Attested receipts of the dataset its requesters disputed. */
  disputed: number;
  /** Receipts recorded without their fee: the requester's balance could not pay it. */
  unpaid: number;
}

/** Two agencies the registry declares related (one owner, one budget): neither earns rewards from the other. */
export interface Relation {
  agencies: [AgencyId, AgencyId];
  height: number;
}

/** An item of the redemption catalog. */
export interface Offer {
  id: string;
  issuer: AgencyId;
  title: string;
  description: string;
  price: bigint;
  /** Units still available. */
  stock: number;
  redeemed: number;
  updatedAt: number;
}

/** What a redemption leaves on the ledger; the issuer honours it after checking it against a certified app hash. */
export interface Voucher {
  id: string;
  offer: string;
  issuer: AgencyId;
  holder: AgencyId;
  quantity: number;
  amount: bigint;
  reference: string;
  height: number;
  time: number;
}

/** One agency's line in an epoch's standing. */
export interface AgencyStanding {
  agency: AgencyId;
  region: string;
  /** Credits minted to it as reward this epoch. */
  reward: bigint;
  /** Fee shares paid to it this epoch for counted receipts. */
  fees: bigint;
  /** Distinct unrelated consumers whose receipts counted. */
  consumers: number;
  receipts: number;
  /** Receipt-weighted quality of the data used, 0..1000. */
  quality: number;
  /** Tournament score (docs/spec/credits.md §8). */
  score: number;
}

export interface RegionStanding {
  region: string;
  reward: bigint;
  fees: bigint;
  consumers: number;
  agencies: number;
  quality: number;
  score: number;
}

/** The result of one epoch's settlement, kept as history. */
export interface EpochStanding {
  epoch: number;
  height: number;
  time: number;
  minted: bigint;
  agencies: AgencyStanding[];
  regions: RegionStanding[];
}

/** Credit parameters (optional in the params record; absent means the default, docs/spec/credits.md §9). */
export interface CreditParams {
  mintPerEpoch: number;
  feeBurnBps: number;
  pairCap: number;
  rewardCapBps: number;
}
