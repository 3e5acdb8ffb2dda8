// The documents the dashboard sends to its agency's `/graphql` (schema/graphql/*.graphql), with the shapes
// they answer. Page sizes keep each document under the gateway's cost limit (which multiplies by `first`);
// longer lists are read page by page (`readPages`).

export type Role = "VALIDATOR" | "MEMBER" | "REGULATOR" | "AUDITOR";
export type QueryKind = "LOOKUP" | "THRESHOLD" | "MEMBERSHIP" | "COUNT" | "SUM" | "FILTER";
export type FreezeKind = "AGENCY" | "DATASET" | "GRANT" | "ACCOUNT";

export interface Edges<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface AgencySummary {
  agencyId: string;
  name: string;
  roles: Role[];
  frozen: boolean;
  region: { id: string };
}

export const SELF = `{ self { agencyId name roles frozen region { id } } }`;
export interface SelfData {
  self: AgencySummary;
}

export const NETWORK = `{
  regions { id agencies { agencyId name roles frozen registeredAt account { balance } } }
  blocks(first: 12) { edges { node { height hash time proposer txCount } } }
  transactions(first: 12) { edges { node { hash height kind sender resultCode } } }
}`;
export interface NetworkData {
  regions: {
    id: string;
    agencies: (Omit<AgencySummary, "region"> & {
      registeredAt: number;
      account: { balance: string } | null;
    })[];
  }[];
  blocks: Edges<{ height: number; hash: string; time: string; proposer: string; txCount: number }>;
  transactions: Edges<{
    hash: string;
    height: number;
    kind: string;
    sender: string;
    resultCode: string | null;
  }>;
}

export interface FieldSpec {
  name: string;
  type: string;
  indexed: boolean;
  personal: boolean;
}

export interface DatasetView {
  datasetId: string;
  title: string;
  description: string;
  region: string;
  tags: string[];
  price: string;
  queryKinds: QueryKind[];
  accessCount: number;
  frozen: boolean;
  owner: { agencyId: string; region: { id: string } };
  fields: FieldSpec[];
  commitment: {
    scheme: string;
    root: string;
    rowCount: number;
    version: number;
    committedAt: number | null;
  } | null;
}

const DATASET_FIELDS = `datasetId title description region tags price queryKinds accessCount frozen owner { agencyId region { id } }
  fields { name type indexed personal } commitment { scheme root rowCount version committedAt }`;

/** A catalog entry: the dataset with its quality score and the score's parts (permille). */
export interface CatalogDataset extends DatasetView {
  quality: { score: number; freshness: number; completeness: number; success: number };
}

export const CATALOG = `query Catalog($filter: CatalogFilter, $after: String) {
  catalog(filter: $filter, first: 20, after: $after) { totalCount
    edges { node { ${DATASET_FIELDS} quality { score freshness completeness success } } }
    pageInfo { hasNextPage endCursor } }
}`;
export interface CatalogData {
  catalog: Edges<CatalogDataset> & { totalCount: number };
}

export interface CommitmentVersionView {
  version: number;
  scheme: string;
  root: string;
  rowCount: number;
  height: number;
  time: string;
  txHash: string;
}

export const COMMITMENT_HISTORY = `query Commitments($dataset: String!, $after: String) {
  commitmentHistory(dataset: $dataset, first: 20, after: $after) {
    totalCount edges { node { version scheme root rowCount height time txHash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export interface CommitmentHistoryData {
  commitmentHistory: Edges<CommitmentVersionView> & { totalCount: number };
}

export interface GrantView {
  grantId: string;
  datasetId: string;
  grantor: string;
  grantee: string;
  queryKinds: QueryKind[];
  fields: string[];
  purpose: string;
  quota: number;
  used: number;
  expiresAt: string;
  issuedAt: number;
  revoked: boolean;
  revokedReason: string | null;
  active: boolean;
}

const GRANT_FIELDS = `grantId datasetId grantor grantee queryKinds fields purpose quota used expiresAt issuedAt revoked
  revokedReason active`;

export const GRANTS = `query Grants($role: GrantRole, $after: String) {
  grants(role: $role, first: 50, after: $after) { totalCount edges { node { ${GRANT_FIELDS} } }
    pageInfo { hasNextPage endCursor } }
}`;
export interface GrantsData {
  grants: Edges<GrantView> & { totalCount: number };
}

export const OWN_DATASETS_AND_AGENCIES = `{
  self { agencyId datasets { ${DATASET_FIELDS} } }
  regions { id agencies { agencyId name } }
}`;
export interface OwnDatasetsData {
  self: { agencyId: string; datasets: DatasetView[] };
  regions: { id: string; agencies: { agencyId: string; name: string }[] }[];
}

export const ISSUE_GRANT = `mutation Issue($input: IssueGrantInput!) { issueGrant(input: $input) { txId kind } }`;
export const REVOKE_GRANT = `mutation Revoke($grant: String!, $reason: String!) {
  revokeGrant(grant: $grant, reason: $reason) { txId kind }
}`;
export const FREEZE = `mutation Freeze($target: FreezeTargetInput!, $reason: String!) {
  freeze(target: $target, reason: $reason) { txId kind }
}`;
export const UNFREEZE = `mutation Unfreeze($target: FreezeTargetInput!, $reason: String!) {
  unfreeze(target: $target, reason: $reason) { txId kind }
}`;
export interface Submission {
  txId: string;
  kind: string;
}

export const TX_STATUS = `query Tx($hash: Hex!) { tx(hash: $hash) { height resultCode } }`;
export interface TxStatusData {
  tx: { height: number; resultCode: string | null } | null;
}

/** How a receipt stands on the ledger: co-signed, recorded by the provider alone, or disputed by the requester. */
export type ReceiptRecording = "ACKNOWLEDGED" | "ATTESTED" | "DISPUTED";
/** Whether the answer was proved and the requester confirmed (by co-signing) that the proof verified. */
export type ReceiptProof = "VERIFIED" | "UNCONFIRMED" | "NOT_PROVED";

export interface ReceiptView {
  receiptId: string;
  height: number;
  provider: string;
  requester: string;
  datasetId: string;
  time: string;
  recording: ReceiptRecording;
  disputeReason: string | null;
  proof: ReceiptProof;
}

export const ACCESS_LOG = `query Log($filter: AccessLogFilter, $after: String) {
  accessLog(filter: $filter, first: 100, after: $after) {
    edges { node { receiptId height provider requester datasetId time recording disputeReason proof } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export interface AccessLogData {
  accessLog: Edges<ReceiptView>;
}

export const AGENCY_REGIONS = `{ regions { id agencies { agencyId } } }`;
export interface AgencyRegionsData {
  regions: { id: string; agencies: { agencyId: string }[] }[];
}

export interface FreezeView {
  kind: FreezeKind;
  targetId: string;
  reason: string;
  by: string;
  height: number;
  time: string;
  /** The automatic rule that froze it, with the ledger facts it saw; null for a regulator's freeze. */
  rule: string | null;
  evidence: string | null;
  /** Regulators that approved lifting it; it lifts at `approvalsNeeded`. */
  approvals: string[];
  approvalsNeeded: number;
}

export const FREEZES = `{
  freezes { kind targetId reason by height time rule evidence approvals approvalsNeeded }
  regions { id agencies { agencyId } }
  catalog(first: 100) { edges { node { datasetId } } }
}`;
export interface FreezesData {
  freezes: FreezeView[];
  regions: { id: string; agencies: { agencyId: string }[] }[];
  catalog: Edges<{ datasetId: string }>;
}

export interface FreezeEventView {
  n: number;
  action: "FREEZE" | "APPROVE" | "UNFREEZE";
  by: string;
  reason: string;
  rule: string | null;
  evidence: string | null;
  approvals: string[];
  height: number;
  time: string;
}

export const FREEZE_HISTORY = `query History($kind: FreezeKind!, $target: String!, $after: String) {
  freezeHistory(kind: $kind, target: $target, first: 50, after: $after) {
    totalCount edges { node { n action by reason rule evidence approvals height time } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export interface FreezeHistoryData {
  freezeHistory: Edges<FreezeEventView> & { totalCount: number };
}

/** The peer's audit of its own chain; `report` is the JSON text `coken audit --report` writes. */
export const AUDIT_CHAIN = `mutation Audit { auditChain { report } }`;
export interface AuditChainData {
  auditChain: { report: string };
}

export const RECEIVED_GRANTS = `query Received($after: String) {
  grants(role: RECEIVED, activeOnly: true, first: 20, after: $after) {
    edges { node { ${GRANT_FIELDS} dataset { ${DATASET_FIELDS} } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export interface ReceivedGrantsData {
  grants: Edges<GrantView & { dataset: DatasetView | null }>;
}

export interface ProofView {
  system: string;
  verified: boolean;
  commitment: string;
  circuit: string;
}

/** What every answer carries, whatever its kind. */
export interface AnswerView {
  provider: string;
  dataset: string;
  proof: ProofView | null;
  receipt: { id: string };
  count?: number;
  sum?: string | null;
  holds?: boolean;
  member?: boolean;
  found?: boolean;
  fields?: { name: string; value: string | null }[];
}

const ANSWER_FIELDS = "provider dataset proof { system verified commitment circuit } receipt { id }";

/** Per kind: the dataset field's arguments (name: GraphQL type) and the result fields it selects. */
export const ASK_SHAPES: Record<QueryKind, { args: Record<string, string>; result: string }> = {
  LOOKUP: { args: { key: "String!", fields: "[String!]!" }, result: "found fields { name value }" },
  THRESHOLD: {
    args: { key: "String!", field: "String!", op: "Comparison!", value: "String!", upper: "String" },
    result: "holds",
  },
  MEMBERSHIP: { args: { key: "String!" }, result: "member" },
  COUNT: { args: { field: "String!", from: "String!", to: "String!" }, result: "count" },
  SUM: {
    args: { field: "String!", from: "String!", to: "String!", sumField: "String!" },
    result: "count sum",
  },
  FILTER: {
    args: { where: "[PredicateInput!]!", aggregate: "Aggregate!", sumField: "String" },
    result: "count sum",
  },
};

/** The document that asks `kind` of a dataset through this agency's gateway, under a named grant. */
export function askDocument(kind: QueryKind): string {
  const shape = ASK_SHAPES[kind];
  const names = Object.keys(shape.args);
  const declared = names.map((n) => `$${n}: ${shape.args[n]}`).join(", ");
  const passed = names.map((n) => `${n}: $${n}`).join(", ");
  return `query Ask($region: ID!, $owner: ID!, $dataset: ID!, $grant: ID, ${declared}) {
  region(id: $region) { agency(id: $owner) { dataset(id: $dataset) {
    answer: ${kind.toLowerCase()}(${passed}, grant: $grant) { ${shape.result} ${ANSWER_FIELDS} }
  } } }
}`;
}
export interface AskData {
  region: { agency: { dataset: { answer: AnswerView } | null } | null } | null;
}
