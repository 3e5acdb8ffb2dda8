import { HTTP_DEFAULTS, HTTP_FIELDS, httpRange } from "./http-config.js";

/**
 * Every field of a peer's configuration file, in file order: the one source for the field lists the parser
 * accepts, the commented config `coken init` writes and `coken config reference` (and so the README's table).
 * A `<name>` segment stands for a key the operator chooses (an agency or dataset id).
 */
export interface ConfigField {
  /** Dotted path below the document root, e.g. `p2p.listen`; `[]` marks the items of an array. */
  path: string;
  type: string;
  /** `true`, or the condition under which the field is required. */
  required?: true | string;
  /** The value the parser uses when the field is absent (JSON), when there is one. */
  default?: unknown;
  /** What absence means when it is not one JSON value (read after "absent: "). */
  defaultText?: string;
  /** A value to show in a written config when the field is left out (defaults to `default`). */
  example?: unknown;
  description: string;
}

const HTTP_MEANING: Record<(typeof HTTP_FIELDS)[number], string> = {
  headersTimeoutMs:
    "A request's headers must have arrived this long after it started; else 408 and the connection is closed.",
  requestTimeoutMs:
    "The whole request, headers and body, must have arrived within this; else 408 and the connection is closed.",
  bodyTimeoutMs:
    "A request's body must have arrived this long after its headers, however steadily it trickles in; else 408 REQUEST_TIMEOUT and the connection is closed.",
  keepAliveTimeoutMs: "An idle keep-alive connection is closed after this.",
  maxConnectionsPerClient:
    "Open connections from one client address; the next is answered 503 TOO_MANY_CONNECTIONS and closed (raise it behind a proxy, whose connections all come from one address).",
  maxConnections: "Open connections in all; the next is answered 503 TOO_MANY_CONNECTIONS and closed.",
};

/** The `http` object of a section whose HTTP server it hardens. */
function httpFields(section: "api" | "gateway", server: string): ConfigField[] {
  return [
    {
      path: `${section}.http`,
      type: "object",
      defaultText: "the defaults below",
      description: `Deadlines and connection caps of ${server}.`,
    },
    ...HTTP_FIELDS.map((field) => {
      const [min, max] = httpRange(field);
      return {
        path: `${section}.http.${field}`,
        type: `integer${field.endsWith("Ms") ? " ms" : ""} ${min}..${max}`,
        default: HTTP_DEFAULTS[field],
        description: HTTP_MEANING[field],
      };
    }),
  ];
}

export const CONFIG_REFERENCE: readonly ConfigField[] = [
  {
    path: "genesis",
    type: "path",
    required: true,
    description:
      "The network's genesis file (JSON). Relative paths in this file are taken from the file's own folder.",
  },
  {
    path: "keystore",
    type: "path",
    required: true,
    description:
      "This agency's encrypted signing key (coken keys generate); its passphrase comes from COKEN_KEYSTORE_PASSPHRASE.",
  },
  {
    path: "observer",
    type: "boolean",
    default: false,
    description:
      "Follow the chain without proposing or voting. A keystore whose agency is not on the chain starts only as an observer.",
  },
  {
    path: "store",
    type: "object",
    required: true,
    description: "Where the peer keeps blocks, state, the consensus WAL and its own dataset rows.",
  },
  {
    path: "store.kind",
    type: '"pglite" | "postgres"',
    required: true,
    example: "pglite",
    description:
      "pglite: embedded Postgres in a folder, fsync off (survives a peer crash, not a host crash); postgres: a server.",
  },
  {
    path: "store.dataDir",
    type: "path",
    required: "pglite",
    example: "data",
    description: "The PGlite data folder (created on first start).",
  },
  {
    path: "store.url",
    type: "string",
    required: "postgres",
    example: "postgres://coken@127.0.0.1:5432/coken",
    description: "The PostgreSQL connection URL; the peer applies its migrations on start.",
  },
  {
    path: "store.poolSize",
    type: "integer 1..100",
    default: 10,
    description: "postgres only: the connection pool size.",
  },
  {
    path: "p2p",
    type: "object",
    required: true,
    description: "libp2p networking with the other agencies' peers (allow-listed by the keys on the chain).",
  },
  {
    path: "p2p.listen",
    type: "multiaddr",
    required: true,
    example: "/ip4/0.0.0.0/tcp/7100",
    description: "The address this peer listens on, e.g. /ip4/0.0.0.0/tcp/7100.",
  },
  {
    path: "p2p.peers",
    type: "multiaddr[]",
    default: [],
    description:
      "The other agencies' peers, each /ip4/<host>/tcp/<port>/p2p/<peer id> (coken keys show prints an agency's peer id).",
  },
  {
    path: "api",
    type: "object",
    defaultText: "loopback, any free port, no token",
    description:
      "The operator API: POST /v1/txs, GET /v1/status, GET /v1/blocks/<height>, dataset endpoints.",
  },
  {
    path: "api.host",
    type: "string",
    default: "127.0.0.1",
    description: "The interface the API listens on.",
  },
  {
    path: "api.port",
    type: "integer 0..65535",
    default: 0,
    description: "The API port; 0 takes any free port (logged at start).",
  },
  {
    path: "api.tokenFile",
    type: "path",
    defaultText: "no token: dataset endpoints off",
    example: "operator.token",
    description: "A file holding the operator's bearer token (COKEN_API_TOKEN for the dataset commands).",
  },
  ...httpFields("api", "the operator API"),
  {
    path: "consensus",
    type: "object",
    defaultText: "the defaults below",
    description: "Tendermint timeouts and block limits; every validator should use the same.",
  },
  {
    path: "consensus.timeoutProposeMs",
    type: "integer ms",
    default: 3000,
    description: "How long to wait for a round's proposal before prevoting nil.",
  },
  {
    path: "consensus.timeoutVoteMs",
    type: "integer ms",
    default: 1000,
    description: "How long to wait for more prevotes or precommits once 2/3 of the power has voted.",
  },
  {
    path: "consensus.timeoutDeltaMs",
    type: "integer ms",
    default: 500,
    description: "How much each timeout grows per round, so a slow network still agrees.",
  },
  {
    path: "consensus.timeoutCommitMs",
    type: "integer ms",
    default: 500,
    description: "The pause after a commit before the next height, to collect late precommits.",
  },
  {
    path: "consensus.maxBlockTxs",
    type: "integer",
    default: 10_000,
    description: "The most transactions a proposed block holds.",
  },
  {
    path: "consensus.maxBlockBytes",
    type: "integer bytes",
    default: 8 << 20,
    description: "The largest proposed block, encoded.",
  },
  {
    path: "consensus.blockExecutionPercent",
    type: "integer 0..100",
    default: 25,
    description:
      "The share of timeoutProposeMs a proposed block may take to execute: the proposer bounds its block's bytes by the execution time per byte it measured on recent blocks (a moving average), so the others can check it before their propose timeout. 0 bounds blocks by maxBlockBytes and maxBlockTxs only.",
  },
  {
    path: "mempool",
    type: "object",
    defaultText: "the defaults below",
    description:
      "Bounds of the pool of txs waiting for a block. A tx past them is refused with a retryable error (POST /v1/txs answers 503 FULL or 429 SENDER_LIMIT with Retry-After) instead of the pool growing.",
  },
  {
    path: "mempool.maxTxs",
    type: "integer",
    default: 20_000,
    description: "The most txs pending at once.",
  },
  {
    path: "mempool.maxBytes",
    type: "integer bytes",
    default: 16 << 20,
    description:
      "The most bytes of txs pending at once; a few blocks of backlog keep blocks full, more only adds latency and re-check work after each commit.",
  },
  {
    path: "mempool.maxPerSender",
    type: "integer",
    default: 2_000,
    description: "The most txs pending from one sender, so one sender cannot fill the pool.",
  },
  {
    path: "mempool.maxBacklogBlocks",
    type: "integer 0..1000",
    default: 2,
    description:
      "The most blocks' worth of txs pending, by the bytes this node's next proposal may carry (see consensus.blockExecutionPercent): every pending tx is checked again after each commit, so a longer backlog costs more work per block the more the peer is offered. An empty pool still takes one tx. 0: maxBytes only.",
  },
  {
    path: "gateway",
    type: "object",
    defaultText: "no gateway",
    description: "The GraphQL gateway: /graphql for officials, /peer/graphql for the other agencies.",
  },
  {
    path: "gateway.host",
    type: "string",
    default: "127.0.0.1",
    description: "The interface the gateway listens on.",
  },
  {
    path: "gateway.port",
    type: "integer 0..65535",
    default: 0,
    description: "The gateway port; 0 takes any free port.",
  },
  {
    path: "gateway.publicUrl",
    type: "http(s) URL",
    required: true,
    example: "https://sh.example:8443",
    description: "The base URL the other agencies reach this gateway at.",
  },
  {
    path: "gateway.peers",
    type: "object: agency id -> URL",
    default: {},
    description: "The other agencies' gateway base URLs, by agency id.",
  },
  {
    path: "gateway.tls",
    type: "object",
    defaultText: "plain HTTP (e.g. behind a terminating proxy)",
    description: "TLS key and certificate files (PEM).",
  },
  { path: "gateway.tls.key", type: "path", required: true, example: "tls/key.pem", description: "Key file." },
  {
    path: "gateway.tls.cert",
    type: "path",
    required: true,
    example: "tls/cert.pem",
    description: "Certificate file.",
  },
  {
    path: "gateway.mode",
    type: '"dev" | "production"',
    default: "dev",
    description: "production runs only trusted documents on /graphql, without introspection or GraphiQL.",
  },
  {
    path: "gateway.trustedDocuments",
    type: "path",
    required: "production",
    example: "trusted-documents.json",
    description: 'A manifest {"<sha256>": "<document>"} of the documents /graphql runs in production.',
  },
  {
    path: "gateway.receiptCommit",
    type: '"flush" | "async"',
    default: "flush",
    description:
      "async lets an answer leave before its receipt reaches the disk (a database-host crash may lose the last ones).",
  },
  {
    path: "gateway.maxSkewMs",
    type: "integer ms 0..600000",
    default: 30_000,
    description: "How far a signed inter-agency request's time may be from ours.",
  },
  {
    path: "gateway.maxRequestLifetimeMs",
    type: "integer ms",
    default: 120_000,
    description: "How long a signed request stays valid (its nonce is remembered that long).",
  },
  {
    path: "gateway.upstreamTimeoutMs",
    type: "integer ms",
    default: 30_000,
    description: "How long a call to another agency may take, proof generation included.",
  },
  {
    path: "gateway.receiptBatchSize",
    type: "integer 1..1000",
    default: 1000,
    description: "The most access receipts co-signed onto the ledger in one batch.",
  },
  {
    path: "gateway.receiptBatchWaitMs",
    type: "integer ms",
    default: 2000,
    description: "How long receipts wait for a batch to fill.",
  },
  {
    path: "gateway.receiptIntervalMs",
    type: "integer ms",
    default: 500,
    description: "How often the receipt queue is worked.",
  },
  ...httpFields("gateway", "the gateway's HTTP server (/graphql, /peer/graphql, /healthz, /metrics)"),
  {
    path: "gateway.receiptAckWaitMs",
    type: "integer ms",
    default: 30000,
    description:
      "How long a receipt batch waits for the requester's co-signature; after that (or at once when the requester refuses) the receipts are recorded without it, backed by the requester's request signatures.",
  },
  {
    path: "gateway.grantPolicy",
    type: "object: grant id -> policy",
    default: {},
    example: { "grant-7": { minGroupSize: 10, thresholdQueriesPerKey: 16 } },
    description:
      "This agency's policy per grant, beyond the ledger's quota: as grantee the minimum group size it asks, as grantor its threshold-query caps.",
  },
  {
    path: "gateway.grantPolicy.<grant>.minGroupSize",
    type: "integer 0..1048576",
    defaultText: "none",
    description:
      "As grantee: the minimum group size k sent with every call under the grant; counts and sums are proved over at least k rows (docs/spec/zk.md §10).",
  },
  {
    path: "gateway.grantPolicy.<grant>.thresholdQueriesPerKey",
    type: "integer 1..1000000",
    defaultText: "unlimited",
    description:
      "As grantor: threshold queries answered per record key under the grant (FORBIDDEN past it); counted in the store, so a restart does not reset them.",
  },
  {
    path: "zk",
    type: "object",
    defaultText: "lookups only, no proofs",
    description: "Zero-knowledge proving over this agency's datasets and checking of the others' proofs.",
  },
  {
    path: "zk.cacheDir",
    type: "path",
    defaultText: "$COKEN_ZK_CACHE, else ~/.cache/coken/zk",
    example: "/var/cache/coken/zk",
    description: "The key cache written by coken zk build / coken zk ceremony finalize.",
  },
  {
    path: "zk.circuits",
    type: "circuit id[]",
    default: ["threshold-d20-f5", "membership-d20", "range-d20", "wellformed-f5-i2-r16"],
    description:
      "The circuit instances this peer proves and verifies with; include the well-formedness chunk circuit wellformed-f<fields>-i<indexes>-r<chunk> of every layout it proves or asks over (without it, no evidence is proved or verified, so no proved answer is served or accepted).",
  },
  {
    path: "zk.devKeys",
    type: "boolean",
    default: false,
    description: "Accept development keys (coken zk build --dev); a production gateway refuses them.",
  },
  {
    path: "zk.requireEvidence",
    type: "boolean",
    defaultText: "true unless devKeys",
    example: true,
    description:
      "Proved answers need well-formedness evidence: own ones are served only once their evidence is proved, others' accepted only with their evidence verified (NOT_WELL_FORMED). false only with devKeys.",
  },
  {
    path: "zk.proverThreads",
    type: "integer 1..64",
    default: 1,
    description: "Prover worker threads.",
  },
  {
    path: "zk.proveTimeoutMs",
    type: "integer ms",
    default: 30_000,
    description: "How long one proof may take.",
  },
  {
    path: "zk.curveThreads",
    type: '"none" | "per-core"',
    default: "none",
    description:
      "Where a prover thread's curve works: none = in that thread; per-core = a thread per core (faster at depth 20, ~100 MiB more).",
  },
  {
    path: "zk.proverIdleMs",
    type: "integer ms 0..86400000",
    default: 60_000,
    description:
      "Stop a prover thread after this long without a proof (the next one starts it again); 0 keeps it running.",
  },
  {
    path: "zk.datasets",
    type: "object: dataset id -> layout",
    default: {},
    example: { "sh.land/parcels": { depth: 20, indexes: [{ field: "owner", sum: "area" }] } },
    description:
      "This agency's datasets answered with proofs, with the layout their commitment was built with.",
  },
  {
    path: "zk.datasets.<id>.depth",
    type: "even integer 2..32",
    default: 20,
    description: "log2 of the row tree's capacity; must match the circuits' depth.",
  },
  {
    path: "zk.datasets.<id>.indexes",
    type: "object[]",
    default: [],
    description: "Sorted prefix-sum indexes, in commitment order.",
  },
  {
    path: "zk.datasets.<id>.indexes[].field",
    type: "field name",
    required: true,
    description: "The field the index sorts by.",
  },
  {
    path: "zk.datasets.<id>.indexes[].sum",
    type: "field name",
    defaultText: "counts only",
    description: "The numeric field the index sums.",
  },
  {
    path: "zk.datasets.<id>.evidence",
    type: "boolean",
    default: true,
    description:
      "Prove the well-formedness evidence of this dataset's commitments; false (only with requireEvidence false) serves its proved answers without evidence.",
  },
];

/** The names of the fields directly under `section` ("" for the top level), as the parser accepts them. */
export function configFieldsOf(section: string): string[] {
  const prefix = section === "" ? "" : `${section}.`;
  return CONFIG_REFERENCE.filter(
    (f) => f.path.startsWith(prefix) && !f.path.slice(prefix.length).includes("."),
  ).map((f) => f.path.slice(prefix.length).replace(/\[\]$/, ""));
}
