import { readFile } from "node:fs/promises";
import { createDashboardFiles, dashboardDocuments } from "@coken/dashboard";
import {
  AttestedReceiptWatcher,
  CallLog,
  cosignOver,
  createFederationClient,
  createGatewayServer,
  createPeerEndpoint,
  DEFAULT_PEER_ENDPOINT_OPTIONS,
  DEFAULT_TRANSPORT_OPTIONS,
  executorFor,
  type FederationClientComponents,
  GatewayError,
  type GatewayServer,
  loadManifest,
  officialSchema,
  type PeerEndpointComponents,
  peerSchema,
  ReceiptIssuer,
  ReceiptQueue,
  type SignedFederationClient,
  type SubmitResult,
  stitchOfficialSchema,
  WellFormedRecords,
  type WellFormedRecordsComponents,
} from "@coken/gateway";
import type { CommittedBlock, Signer, TxKind, TxPayloads, Verifier } from "@coken/ledger";
import type { Store, StoredLedger } from "@coken/store";
import type { EvidenceRecords as EvidenceRecordsView } from "./api.js";
import { type ChainAudit, ChainAuditError } from "./chain-audit.js";
import type { GatewayConfig } from "./gateway-config.js";
import type { Logger } from "./log.js";
import { type OwnTxComponents, OwnTxError, submitOwnTx } from "./own-tx.js";

export interface GatewayWiringComponents {
  agency: string;
  signer: Signer;
  verifier: Verifier;
  chain: StoredLedger;
  store: Store;
  /** The peer's mempool entry (which also gossips the tx). */
  submitTx(raw: Uint8Array): SubmitResult;
  /** Proves answers of proved query kinds; absent: this agency answers lookups only. */
  prover?: PeerEndpointComponents["prover"];
  /** Checks proved answers from others; absent: this agency asks lookups only. */
  answerVerifier?: FederationClientComponents["answerVerifier"];
  /** Well-formedness evidence of this agency's commitment in force for a dataset (public JSON); null when none. */
  evidence?: PeerEndpointComponents["evidence"];
  /**
   * How the others' evidence is checked, and whether proved answers need it (false only with development keys):
   * each commitment's evidence is fetched from its owner and verified once.
   */
  wellFormed?: { verify: WellFormedRecordsComponents["verify"]; required: boolean };
  /** Audits the peer's own chain for its officials (`auditChain`); absent: refused. */
  audit?: ChainAudit;
  log: Logger;
}

/** The running gateway of a peer. */
export interface PeerGateway {
  /** Base URL the gateway listens on. */
  readonly url: string;
  /** This agency's asking side (what its officials' dataset fields resolve through). */
  readonly federation: SignedFederationClient;
  /** The provider's receipt queue; `flush` runs one pass now. */
  readonly receipts: ReceiptQueue;
  /** The others' evidence this agency verified as an asker, and its latest refusals (empty without `wellFormed`). */
  wellFormed(): EvidenceRecordsView;
  /** Checks a committed block for receipts recorded in this agency's name without its co-signature. */
  afterCommit(committed: CommittedBlock): Promise<void>;
  close(): Promise<void>;
}

const NONCE_PRUNE_MS = 60_000;

/** The officials' actions (grant, freeze mutations): signed with this agency's key, refusals as TX_REFUSED. */
function ownTxSubmitter(c: OwnTxComponents) {
  return <K extends TxKind>(kind: K, payload: TxPayloads[K]): string => {
    try {
      return submitOwnTx(c, kind, payload);
    } catch (e) {
      if (e instanceof OwnTxError) throw new GatewayError("TX_REFUSED", e.message, { reason: e.code });
      throw e;
    }
  };
}

/** The officials' audit of the peer's chain, the peer's refusals as AUDIT_UNAVAILABLE. */
function officialsAudit(audit: ChainAudit) {
  return () =>
    audit.run().catch((e: unknown) => {
      if (e instanceof ChainAuditError) throw new GatewayError("AUDIT_UNAVAILABLE", e.message);
      throw e;
    });
}

/**
 * Builds the gateway of a peer in dependency order — receipt issuer, federation client, `/peer/graphql`
 * endpoint, receipt queue, HTTP server — and returns a handle whose `close` stops them in reverse order. The
 * ledger is read from the peer's committed state; receipts go to the ledger through the peer's mempool.
 */
export async function startGateway(config: GatewayConfig, c: GatewayWiringComponents): Promise<PeerGateway> {
  const repo = c.store.gateway;
  if (repo === undefined) throw new Error("the store has no gateway repository");
  const hasher = c.chain.ledger.hasher;
  const ledger = c.chain.ledger.state;
  const now = Date.now;
  const issuer = await ReceiptIssuer.open(hasher, repo, config.receiptCommit);
  // Txs this agency signs itself: officials' actions, disputes of receipts recorded in its name.
  const ownTx: OwnTxComponents = {
    self: c.agency,
    chainId: c.chain.ledger.head.chain,
    hasher,
    signer: c.signer,
    ledger,
    submitTx: c.submitTx,
  };
  const federation = createFederationClient(
    {
      self: c.agency,
      signer: c.signer,
      hasher,
      verifier: c.verifier,
      ledger,
      peerUrl: (agency) => config.peers[agency],
      now,
      calls: repo,
      answerVerifier: c.answerVerifier,
      grantPolicy: (grant) => config.grantPolicy[grant],
      ...(c.wellFormed === undefined
        ? {}
        : {
            requireWellFormed: c.wellFormed.required,
            wellFormed: (call, commitment, fields) =>
              wellFormedRecords?.record(call.provider, call.dataset, commitment, fields),
          }),
    },
    { ...DEFAULT_TRANSPORT_OPTIONS, timeoutMs: config.upstreamTimeoutMs },
  );
  const wellFormedRecords =
    c.wellFormed === undefined
      ? undefined
      : new WellFormedRecords({
          fetch: (provider, dataset) => federation.fetchEvidence(provider, dataset),
          verify: c.wellFormed.verify,
          now,
          log: c.log,
        });
  const peerEndpoint = createPeerEndpoint(
    {
      self: c.agency,
      signer: c.signer,
      hasher,
      verifier: c.verifier,
      ledger,
      rows: c.store.localData,
      prover: c.prover,
      grantPolicy: (grant) => config.grantPolicy[grant],
      ...(c.evidence === undefined ? {} : { evidence: c.evidence }),
      issuer,
      repo,
      now,
    },
    {
      ...DEFAULT_PEER_ENDPOINT_OPTIONS,
      window: { maxSkewMs: config.maxSkewMs, maxLifetimeMs: config.maxRequestLifetimeMs },
    },
  );
  const receipts = new ReceiptQueue(
    {
      self: c.agency,
      chainId: c.chain.ledger.head.chain,
      signer: c.signer,
      hasher,
      verifier: c.verifier,
      ledger,
      repo,
      issuer,
      cosign: cosignOver(federation.transport),
      submitTx: c.submitTx,
      async txResult(id) {
        const tx = await c.store.ledger.getTx(id);
        return tx === null ? null : { height: tx.height, code: tx.resultCode };
      },
      now,
      log: c.log.child("receipts"),
    },
    {
      maxBatch: config.receiptBatchSize,
      maxWaitMs: config.receiptBatchWaitMs,
      intervalMs: config.receiptIntervalMs,
      retryBaseMs: 1000,
      retryMaxMs: 60_000,
      resubmitAfterMs: 15_000,
      ackWaitMs: config.receiptAckWaitMs,
    },
  );
  // Other agencies reach an HTTPS gateway with the system CAs (or NODE_EXTRA_CA_CERTS for a private CA).
  const tls =
    config.tls === null
      ? undefined
      : { key: await readFile(config.tls.key), cert: await readFile(config.tls.cert) };
  // Officials see each other agency's peer fields under its namespace (dataset answers go through the
  // federation client instead, which keeps their receipts); the peer schema is known, so nothing is fetched here.
  const agencies = Object.keys(config.peers);
  const stitched =
    agencies.length === 0
      ? undefined
      : await stitchOfficialSchema(
          officialSchema,
          agencies.map((agency) => ({
            agency,
            executor: executorFor(federation.transport, agency, hasher),
            schema: peerSchema,
            expose: ["receipt"],
          })),
        );
  const server: GatewayServer = createGatewayServer({
    host: config.host,
    port: config.port,
    mode: config.mode,
    http: config.http,
    ...(tls ? { tls } : {}),
    // The dashboard this gateway serves sends its own documents by id: they are trusted with the operator's.
    persistedDocuments: new Map([
      ...dashboardDocuments(),
      ...(config.trustedDocuments ? await loadManifest(config.trustedDocuments) : []),
    ]),
  })({
    official: {
      self: c.agency,
      ledger,
      chain: c.store.ledger,
      federation,
      clock: now,
      actions: ownTxSubmitter(ownTx),
      ...(c.audit === undefined ? {} : { audit: officialsAudit(c.audit) }),
    },
    ...(stitched ? { officialSchema: stitched } : {}),
    peerEndpoint,
    dashboard: createDashboardFiles(),
    logger: c.log,
  });
  const url = await server.listen();
  receipts.start();
  const pruning = setInterval(() => {
    repo.pruneNonces(now()).catch((e: unknown) => c.log.warn("nonce pruning failed", { error: String(e) }));
  }, NONCE_PRUNE_MS);
  pruning.unref();
  c.log.info("gateway started", { url, publicUrl: config.publicUrl });
  const watcher = new AttestedReceiptWatcher({
    self: c.agency,
    hasher,
    calls: CallLog.of(repo),
    dispute: (payload) => {
      try {
        submitOwnTx(ownTx, "access.dispute", payload);
      } catch (e) {
        c.log.warn("could not dispute receipts", { provider: payload.provider, error: String(e) });
      }
    },
    log: c.log.child("disputes"),
  });
  return {
    url,
    federation,
    receipts,
    wellFormed: () => wellFormedRecords?.list() ?? { verified: [], refused: [], verifying: [] },
    afterCommit: (committed) => watcher.afterCommit(committed.outcome.txs),
    async close() {
      clearInterval(pruning);
      await server.close();
      await receipts.stop();
    },
  };
}
