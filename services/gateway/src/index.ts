export * from "./errors.js";
export { CallLog } from "./federation/call-log.js";
export {
  ANSWER_DOCUMENT,
  type AskerGrantPolicy,
  createFederationClient,
  EVIDENCE_DOCUMENT,
  type FederationClientComponents,
  SignedFederationClient,
} from "./federation/client.js";
export { executorFor } from "./federation/executor.js";
export {
  DEFAULT_TRANSPORT_OPTIONS,
  SignedTransport,
  type SignedTransportComponents,
  type TransportOptions,
  type UpstreamOperation,
  type UpstreamResult,
} from "./federation/transport.js";
export * from "./federation/types.js";
export {
  EVIDENCE_RETRY_MAX_MS,
  EVIDENCE_RETRY_MS,
  type RefusedRecordView,
  retryAfterMs,
  VERIFY_WAIT_MS,
  type VerifiedRecordView,
  type VerifyingRecordView,
  WellFormedRecords,
  type WellFormedRecordsComponents,
} from "./federation/well-formed.js";
export {
  ConnectionTally,
  checkHttpLimits,
  DEFAULT_HTTP_LIMITS,
  guardHttpServer,
  type HttpGuard,
  type HttpRefusalCode,
  type HttpServerLimits,
  httpServerOptions,
} from "./hardening/connections.js";
export type { QueryLimits } from "./hardening/limits.js";
export { documentId, loadManifest, type PersistedDocuments } from "./hardening/persisted.js";
export { type Logger, memoryLogger, silentLogger } from "./observability/log.js";
export { officialSchema } from "./official/schema.js";
export {
  createPeerEndpoint,
  DEFAULT_PEER_ENDPOINT_OPTIONS,
  type PeerEndpointComponents,
  type PeerEndpointOptions,
} from "./provider/endpoint.js";
export type { ProviderGrantPolicy } from "./provider/grant-policy.js";
export { DEFAULT_PEER_QUERY_LIMITS } from "./provider/limits.js";
export { peerSchema } from "./provider/schema.js";
export { cosignOver } from "./receipts/cosign-client.js";
export { AttestedReceiptWatcher, DISPUTE_REASON } from "./receipts/disputer.js";
export { type ReceiptCommit, ReceiptIssuer } from "./receipts/issuer.js";
export {
  DEFAULT_RECEIPT_QUEUE_OPTIONS,
  ReceiptQueue,
  type ReceiptQueueComponents,
  type ReceiptQueueOptions,
  type SubmitResult,
} from "./receipts/queue.js";
export {
  createGatewayServer,
  type GatewayServer,
  type GatewayServerComponents,
  type GatewayServerOptions,
} from "./server.js";
export * from "./signing/index.js";
export { type RemoteAgency, stitchOfficialSchema } from "./stitching/stitch.js";
