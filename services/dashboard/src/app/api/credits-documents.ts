// The 共票 pages' documents (schema/graphql/credits.graphql) with the shapes they answer. Amounts are decimal
// strings (BigInt); quality figures are permille.

export interface RankingEntry {
  rank: number;
  subject: string;
  value: string;
}

export const RANKINGS = `{
  creditsByAgency: rankings(by: CREDITS, scope: AGENCY, first: 100) { rank subject value }
  creditsByRegion: rankings(by: CREDITS, scope: REGION, first: 100) { rank subject value }
  contributionsByAgency: rankings(by: CONTRIBUTIONS, scope: AGENCY, first: 100) { rank subject value }
  contributionsByRegion: rankings(by: CONTRIBUTIONS, scope: REGION, first: 100) { rank subject value }
}`;
export interface RankingsData {
  creditsByAgency: RankingEntry[];
  creditsByRegion: RankingEntry[];
  contributionsByAgency: RankingEntry[];
  contributionsByRegion: RankingEntry[];
}

export interface Supply {
  genesis: string;
  minted: string;
  burned: string;
  escrow: string;
  circulating: string;
}

/** What an agency earned in one settled epoch (docs/spec/credits.md §5, §8). */
export interface StandingLine {
  rank: number;
  reward: string;
  fees: string;
  consumers: number;
  receipts: number;
  quality: number;
  score: number;
}

export const CREDIT_OVERVIEW = `query Overview($agency: String!) {
  creditSupply { genesis minted burned escrow circulating }
  account(agency: $agency) { balance }
  creditHistory(agency: $agency, first: 24) { epoch height line { rank reward fees consumers receipts quality score } }
}`;
export interface CreditOverviewData {
  creditSupply: Supply;
  account: { balance: string } | null;
  creditHistory: { epoch: number; height: number; line: StandingLine }[];
}

/** Every account's balance with the supply read in the same request (one state), for the conservation check. */
export const ACCOUNTS = `query Accounts($after: String) {
  creditSupply { escrow circulating }
  accounts(first: 100, after: $after) { edges { node { agency balance } } pageInfo { hasNextPage endCursor } }
}`;
export interface AccountsData {
  creditSupply: Pick<Supply, "escrow" | "circulating">;
  accounts: {
    edges: { node: { agency: string; balance: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export interface EpochStanding {
  epoch: number;
  height: number;
  time: number;
  minted: string;
  agencies: (StandingLine & { agency: string; region: string })[];
  regions: (Omit<StandingLine, "receipts"> & { region: string; agencies: number })[];
}

export const STANDING = `query Standing($epoch: Int) {
  standing(epoch: $epoch) {
    epoch height time minted
    agencies { rank agency region reward fees consumers receipts quality score }
    regions { rank region reward fees consumers agencies quality score }
  }
}`;
export interface StandingData {
  standing: EpochStanding | null;
}

export interface QualityBreakdown {
  dataset: string;
  freshness: number;
  completeness: number;
  success: number;
  score: number;
  commits: number;
  onTime: number;
  disputed: number;
  accessCount: number;
}

export const DATASET_QUALITY = `query Quality($dataset: String!) {
  datasetQuality(dataset: $dataset) { dataset freshness completeness success score commits onTime disputed accessCount }
}`;
export interface DatasetQualityData {
  datasetQuality: QualityBreakdown | null;
}

export const DATASET_IDS = `{
  self { datasets { datasetId } }
  catalog(first: 100) { edges { node { datasetId title } } }
}`;
export interface DatasetIdsData {
  self: { datasets: { datasetId: string }[] };
  catalog: { edges: { node: { datasetId: string; title: string } }[] };
}

export interface Offer {
  id: string;
  issuer: string;
  title: string;
  description: string;
  price: string;
  stock: number;
  redeemed: number;
  updatedAt: number;
}

export interface Voucher {
  id: string;
  offer: string;
  issuer: string;
  holder: string;
  quantity: number;
  amount: string;
  reference: string;
  height: number;
  time: number;
}

const VOUCHER_FIELDS = "id offer issuer holder quantity amount reference height time";

export const REDEMPTION = `query Redemption($agency: String!) {
  redemptionCatalog { id issuer title description price stock redeemed updatedAt }
  held: vouchers(agency: $agency) { ${VOUCHER_FIELDS} }
  issued: vouchers(agency: $agency, asIssuer: true) { ${VOUCHER_FIELDS} }
}`;
export interface RedemptionData {
  redemptionCatalog: Offer[];
  held: Voucher[];
  issued: Voucher[];
}
