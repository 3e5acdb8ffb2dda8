import type { FieldSpec, QueryKind, Role } from "@coken/ledger";

/**
 * The devnet's story: cross-region real-estate and credit checks between Hunan and Guangdong. Every agency
 * publishes one dataset of five fields (the width of the devnet's threshold circuit) with two sorted indexes;
 * grants let agencies of one region ask the other's. All rows are synthetic (seed.ts), no real person is in them.
 */

export interface AgencyPlan {
  id: string;
  name: string;
  region: string;
  roles: Role[];
  /** Credits at genesis. */
  balance: bigint;
}

export interface DatasetPlan {
  id: string;
  owner: string;
  title: string;
  description: string;
  region: string;
  tags: string[];
  fields: FieldSpec[];
  /** Sorted prefix-sum indexes the commitment carries: COUNT/SUM by `field`, summing `sum`. */
  indexes: { field: string; sum: string }[];
  queryKinds: QueryKind[];
  /** Credits per answered query. */
  price: bigint;
  /** Rows at full size; the small size divides it (seed.ts). */
  rows: number;
}

export interface GrantPlan {
  dataset: string;
  grantee: string;
  queryKinds: QueryKind[];
  fields: string[];
  purpose: string;
  quota: number;
}

/**
 * The devnet's genesis params: an epoch of 20 blocks (about 30 s at the devnet's pace) so that a 共票 settlement
 * happens while the demo runs, and prices above (docs/spec/credits.md §4.1) high enough that each fee burns a
 * part, which bounds the reward minted for the use it paid for (§5.1).
 */
export const DEVNET_PARAMS = {
  epochLength: 20,
  mintPerEpoch: 10_000,
  feeBurnBps: 2_000,
  pairCap: 10_000,
  rewardCapBps: 5_000,
} as const;

export const REGIONS = { HN: "Hunan 湖南", GD: "Guangdong 广东", CN: "national 全国" } as const;

export const AGENCIES: readonly AgencyPlan[] = [
  {
    id: "hn.land-registry",
    name: "Hunan Land Registry 湖南省不动产登记中心",
    region: "HN",
    roles: ["validator", "member"],
    balance: 100_000n,
  },
  {
    id: "hn.tax-bureau",
    name: "Hunan Tax Bureau 湖南省税务局",
    region: "HN",
    roles: ["validator", "member"],
    balance: 100_000n,
  },
  {
    id: "gd.housing-authority",
    name: "Guangdong Housing Authority 广东省住房和城乡建设厅",
    region: "GD",
    roles: ["validator", "member"],
    balance: 100_000n,
  },
  {
    id: "gd.bank",
    name: "Guangdong Mortgage Bank (under mandate) 广东按揭银行",
    region: "GD",
    roles: ["validator", "member"],
    balance: 100_000n,
  },
  {
    id: "gd.courts",
    name: "Guangdong Higher People's Court 广东省高级人民法院",
    region: "GD",
    roles: ["validator", "member"],
    balance: 100_000n,
  },
  {
    id: "cn.regulator",
    name: "Data Sharing Regulator 数据共享监管机构",
    region: "CN",
    roles: ["validator", "regulator"],
    balance: 0n,
  },
];

const field = (name: string, type: FieldSpec["type"], indexed: boolean, personal: boolean): FieldSpec => ({
  name,
  type,
  indexed,
  personal,
});

export const DATASETS: readonly DatasetPlan[] = [
  {
    id: "hn.land/properties",
    owner: "hn.land-registry",
    title: "Hunan property registry 不动产登记簿",
    description:
      "Registered residential properties: owner, floor area, assessed value, registration date, mortgage flag",
    region: "HN",
    tags: ["real-estate", "property"],
    fields: [
      field("owner", "string", true, true),
      field("area", "decimal", false, false),
      field("value", "int", true, false),
      field("registered", "date", false, false),
      field("mortgaged", "bool", false, false),
    ],
    indexes: [
      { field: "owner", sum: "area" },
      { field: "value", sum: "value" },
    ],
    queryKinds: ["threshold", "membership", "count", "sum"],
    price: 100n,
    rows: 24_000,
  },
  {
    id: "hn.tax/income",
    owner: "hn.tax-bureau",
    title: "Hunan individual income tax records 个人所得税记录",
    description:
      "Annual taxable income per taxpayer (2025), tax paid, employer sector, filing date, compliance flag",
    region: "HN",
    tags: ["tax", "income"],
    fields: [
      field("income", "int", true, true),
      field("taxPaid", "int", true, true),
      field("sector", "string", false, false),
      field("filed", "date", false, false),
      field("compliant", "bool", false, false),
    ],
    indexes: [
      { field: "income", sum: "income" },
      { field: "taxPaid", sum: "taxPaid" },
    ],
    queryKinds: ["threshold", "membership", "count", "sum"],
    price: 150n,
    rows: 16_000,
  },
  {
    id: "gd.housing/transactions",
    owner: "gd.housing-authority",
    title: "Guangdong housing transactions 商品房网签备案",
    description: "Recorded home purchases: buyer, price, floor area, contract date, first-home flag",
    region: "GD",
    tags: ["real-estate", "transactions"],
    fields: [
      field("buyer", "string", true, true),
      field("price", "int", true, false),
      field("area", "decimal", false, false),
      field("contracted", "date", false, false),
      field("firstHome", "bool", false, false),
    ],
    indexes: [
      { field: "buyer", sum: "price" },
      { field: "price", sum: "price" },
    ],
    queryKinds: ["threshold", "membership", "count", "sum"],
    price: 100n,
    rows: 12_000,
  },
  {
    id: "gd.bank/mortgages",
    owner: "gd.bank",
    title: "Mortgage book 个人住房贷款",
    description: "Outstanding mortgages: borrower, principal, interest rate, start date, performing flag",
    region: "GD",
    tags: ["credit", "mortgage"],
    fields: [
      field("borrower", "string", true, true),
      field("principal", "int", true, false),
      field("rate", "decimal", false, false),
      field("started", "date", false, false),
      field("performing", "bool", false, false),
    ],
    indexes: [
      { field: "borrower", sum: "principal" },
      { field: "principal", sum: "principal" },
    ],
    queryKinds: ["threshold", "membership", "count", "sum"],
    price: 100n,
    rows: 10_000,
  },
  {
    id: "gd.courts/enforcement",
    owner: "gd.courts",
    title: "Judgment debtors under enforcement 失信被执行人",
    description: "Open enforcement cases: debtor, amount owed, court, judgment date, still active",
    region: "GD",
    tags: ["credit", "judicial"],
    fields: [
      field("debtor", "string", true, true),
      field("amount", "int", true, false),
      field("court", "string", false, false),
      field("judged", "date", false, false),
      field("active", "bool", false, false),
    ],
    indexes: [
      { field: "debtor", sum: "amount" },
      { field: "amount", sum: "amount" },
    ],
    queryKinds: ["threshold", "membership", "count", "sum"],
    price: 50n,
    rows: 4_000,
  },
];

/** Grants issued at seeding: each lets an agency of one region (or the bank, locally) ask another's dataset. */
export const GRANTS: readonly GrantPlan[] = [
  {
    dataset: "hn.land/properties",
    grantee: "gd.housing-authority",
    queryKinds: ["count", "membership"],
    fields: ["owner"],
    purpose: "home-purchase restriction: properties a buyer already owns in Hunan (限购核查)",
    quota: 10_000,
  },
  {
    dataset: "hn.tax/income",
    grantee: "gd.bank",
    queryKinds: ["threshold"],
    fields: ["income"],
    purpose: "mortgage application: declared income check under the borrower's mandate (收入核验)",
    quota: 10_000,
  },
  {
    dataset: "gd.housing/transactions",
    grantee: "hn.tax-bureau",
    queryKinds: ["count", "sum"],
    fields: ["buyer", "price"],
    purpose: "property-transfer tax: purchases a taxpayer made in Guangdong",
    quota: 10_000,
  },
  {
    dataset: "gd.bank/mortgages",
    grantee: "hn.land-registry",
    queryKinds: ["count", "membership"],
    fields: ["borrower"],
    purpose: "mortgage registration: outstanding loans of an owner",
    quota: 10_000,
  },
  {
    dataset: "gd.courts/enforcement",
    grantee: "gd.bank",
    queryKinds: ["membership", "threshold"],
    fields: ["amount"],
    purpose: "credit check: is the applicant a judgment debtor under enforcement",
    quota: 10_000,
  },
];

/** The dataset size of a run: full (tens of thousands of rows) or small (for tests: fast keys, small trees). */
export type DevnetSize = "full" | "small";

/**
 * log2 capacity of the row trees and circuits (even, 4-ary): 2^16 holds the largest full dataset; the small size
 * uses the depth-4 circuits the test suite builds anyway, so a test devnet costs no key build of its own.
 */
export function treeDepth(size: DevnetSize): number {
  return size === "full" ? 16 : 4;
}

/** Rows of a dataset at a size (the small size fills its trees: 2^4 − 1 rows, the last leaf being reserved). */
export function rowsAt(d: DatasetPlan, size: DevnetSize): number {
  return size === "full" ? d.rows : 2 ** treeDepth(size) - 1;
}

/**
 * Positions per well-formedness chunk proof (the chunk circuit `wellformed-f5-i2-r<n>` of the devnet's layout, five
 * fields and two indexes; docs/spec/zk.md §9) at each size. Small: one, the chunk circuit the zk tests build, so a
 * test devnet builds no key of its own. Full: four, fewer proofs of about 7,600 constraints each
 * (docs/BENCHMARKS.md). The peer proves with it only while 4·n fits the tree (`chunkRowsFor`).
 */
export const EVIDENCE_CHUNK_ROWS: Readonly<Record<DevnetSize, number>> = { small: 1, full: 4 };

/**
 * Whether proved answers need well-formedness evidence (`zk.requireEvidence`). Small: yes, the strict path end to
 * end (the evidence of 15 rows is 16 chunk proofs, seconds). Full: no, answers are served with development keys
 * while the evidence is proved, and only datasets of at most EVIDENCE_MAX_ROWS rows prove it.
 */
export function strictEvidence(size: DevnetSize): boolean {
  return size === "small";
}

/**
 * Rows up to which a full-size dataset proves its evidence: it costs about 1,800 constraints a row, so the
 * 10,000–24,000-row datasets would keep both cores busy for hours (docs/BENCHMARKS.md); those serve without it.
 */
export const EVIDENCE_MAX_ROWS = 4_000;

/** Whether the owner of `d` proves its well-formedness evidence (`zk.datasets.<id>.evidence`). */
export function provesEvidence(d: DatasetPlan, size: DevnetSize): boolean {
  return strictEvidence(size) || rowsAt(d, size) <= EVIDENCE_MAX_ROWS;
}

/** The circuits every devnet peer proves and verifies with: the answers' and the evidence's chunk circuit. */
export function circuitIds(size: DevnetSize): string[] {
  const d = treeDepth(size);
  return [
    `threshold-d${d}-f5`,
    `membership-d${d}`,
    `range-d${d}`,
    `wellformed-f5-i2-r${EVIDENCE_CHUNK_ROWS[size]}`,
  ];
}
