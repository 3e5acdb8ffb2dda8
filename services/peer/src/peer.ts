import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_BLOCK_PART_MESSAGE_BYTES, MAX_PROPOSAL_HEADER_BYTES } from "@coken/consensus";
import { loadKeystore } from "@coken/keystore";
import { createVerifier, genesisHash, keys, toHex } from "@coken/ledger";
import { createNetwork, type Network } from "@coken/p2p";
import { openStore, type Store, StoredLedger, storeBlockSource } from "@coken/store";
import { AgencyAllowList, allowListOf, connectableAgencies } from "./allow-list.js";
import { createApiServer, createAuditReads, createChainReads } from "./api.js";
import { createCachingVerifier } from "./caching-verifier.js";
import { createChainAudit } from "./chain-audit.js";
import { type PeerConfig, readGenesisFile } from "./config.js";
import { DatasetOps } from "./dataset-ops.js";
import { ConsensusDriver, validatorInfos } from "./driver.js";
import { type PeerGateway, startGateway } from "./gateway-wiring.js";
import { attachGossipHandlers } from "./gossip-handlers.js";
import { identityRefusal } from "./identity-check.js";
import type { Logger } from "./log.js";
import { memoryStatus } from "./memory-status.js";
import { Mempool } from "./mempool.js";
import { BlockSync, serveBlocks, syncFrameBytes } from "./sync.js";
import { type PeerZk, startZk } from "./zk-wiring.js";

export interface RunningPeer {
  readonly agency: string;
  readonly apiPort: number;
  readonly network: Network;
  /** The GraphQL gateway, when the config has a `gateway` section. */
  readonly gateway: PeerGateway | null;
  /** The prover and verifier, when the config has a `zk` section. */
  readonly zk: PeerZk | null;
  stop(): Promise<void>;
}

/**
 * Builds a peer from its configuration, in dependency order (keys, store, ledger, mempool, network, consensus,
 * sync, zero-knowledge keys, API, gateway), and returns a handle whose `stop` closes them in reverse order.
 */
export async function startPeer(config: PeerConfig, passphrase: string, log: Logger): Promise<RunningPeer> {
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse())
      await close().catch((e: unknown) => log.warn("close failed", { error: String(e) }));
  };
  try {
    const genesis = await readGenesisFile(config.genesis);
    const key = await loadKeystore(config.keystore, passphrase);
    const verifier = createCachingVerifier(createVerifier());

    const store: Store = await openStore(config.store);
    closers.push(() => store.close());
    const chain = await StoredLedger.open(store, genesis, verifier);
    log.info("ledger opened", { chain: genesis.chainId, height: chain.ledger.head.height });
    const refusal = identityRefusal({
      agency: key.agency,
      publicKey: key.signer.publicKey,
      onChain: chain.ledger.state.get(keys.agency(key.agency)),
      observer: config.observer,
      genesisFile: config.genesis,
    });
    if (refusal !== null) {
      key.seed.fill(0);
      throw refusal;
    }
    const mempool = new Mempool(chain.ledger, verifier, {
      ...config.mempool,
      // A tx no block can hold would never leave. The decoded form is kept for as many blocks as the backlog
      // holds: each commit executes the backlog again, and decoding it again (and hashing its receipts) each time
      // was most of that work.
      maxTxBytes: config.consensus.maxBlockBytes,
      maxDecodedBytes: Math.max(1, config.mempool.maxBacklogBlocks) * config.consensus.maxBlockBytes,
    });
    chain.ledger.useKnownTxs((raw) => mempool.knownTx(raw));

    // The allow-list follows the agencies on the chain (admitted ones too), not only the genesis.
    const agencies = connectableAgencies(chain.ledger.state.entries());
    const network = await createNetwork({
      chainId: genesis.chainId,
      seed: key.seed,
      listen: [config.p2p.listen],
      allow: allowListOf(agencies.values()),
      peers: config.p2p.peers,
      // A tx may be as large as a block; a proposal travels as a small header and block parts of 64 KiB.
      maxMessageBytes: config.consensus.maxBlockBytes + (1 << 20),
      topicMaxBytes: { proposals: MAX_PROPOSAL_HEADER_BYTES, parts: MAX_BLOCK_PART_MESSAGE_BYTES },
      maxFrameBytes: syncFrameBytes(config.consensus.maxBlockBytes),
      logger: log.child("p2p"),
    });
    key.seed.fill(0);
    closers.push(() => network.stop());
    const allowList = new AgencyAllowList(
      { network, state: chain.ledger.state, log: log.child("p2p") },
      agencies,
    );

    // An observer follows the chain and never proposes or votes, even with a validator's key. Any other peer runs
    // with its key, and consensus signs at the heights whose set holds its agency: an agency a governance change
    // adds to the set signs from the set's first height without a restart.
    const isValidator = !config.observer && validatorInfos(chain).some((v) => v.agency === key.agency);
    // Started last (it needs the API's token and the prover); committed blocks reach it once it runs.
    let gateway: PeerGateway | null = null;
    const driver = new ConsensusDriver(
      {
        chain,
        store,
        network,
        mempool,
        verifier,
        identity: config.observer ? null : { agency: key.agency, signer: key.signer },
        now: Date.now,
        log: log.child("consensus"),
        onCommit: (committed) => {
          allowList.afterCommit(committed.writes);
          void gateway?.afterCommit(committed);
        },
      },
      {
        timeouts: {
          proposeMs: config.consensus.timeoutProposeMs,
          proposeDeltaMs: config.consensus.timeoutDeltaMs,
          prevoteMs: config.consensus.timeoutVoteMs,
          prevoteDeltaMs: config.consensus.timeoutDeltaMs,
          precommitMs: config.consensus.timeoutVoteMs,
          precommitDeltaMs: config.consensus.timeoutDeltaMs,
        },
        commitDelayMs: config.consensus.timeoutCommitMs,
        regossipMs: 1000,
        maxBlockTxs: config.consensus.maxBlockTxs,
        maxBlockBytes: config.consensus.maxBlockBytes,
        blockExecutionPercent: config.consensus.blockExecutionPercent,
      },
    );
    closers.push(() => driver.stop());
    mempool.boundBacklogBy(() => driver.proposalBudget);
    const sync = new BlockSync(network, chain, driver, log.child("sync"));
    serveBlocks(network, store);
    attachGossipHandlers({
      network,
      chain,
      driver,
      mempool,
      sync,
      verifier,
      now: Date.now,
      log: log.child("gossip"),
    });

    await network.start();
    await driver.start();

    const submitTx = (raw: Uint8Array) => {
      const result = mempool.add(raw);
      if (result.ok) void network.publish("txs", raw).catch(() => {});
      return result;
    };
    const zk =
      config.zk === undefined
        ? null
        : await startZk(config.zk, {
            agency: key.agency,
            ledger: chain.ledger.state,
            store,
            log: log.child("zk"),
          });
    if (zk !== null) closers.push(() => zk.close());
    const datasets = new DatasetOps({
      self: key.agency,
      ledger: chain.ledger.state,
      store,
      tx: {
        self: key.agency,
        chainId: genesis.chainId,
        hasher: chain.ledger.hasher,
        signer: key.signer,
        ledger: chain.ledger.state,
        submitTx,
      },
      ...(zk === null || config.zk === undefined
        ? {}
        : {
            zk: {
              registry: zk.registry,
              layouts: config.zk.datasets,
              ...(zk.datasets === undefined ? {} : { datasets: zk.datasets }),
            },
          }),
      now: Date.now,
    });
    const token =
      config.api.tokenFile === null ? null : (await readFile(config.api.tokenFile, "utf8")).trim();
    const kept = createAuditReads({
      ...(store.gateway === undefined ? {} : { gateway: store.gateway }),
      ...(zk === null ? {} : { registry: zk.registry }),
    });
    const api: Server = createApiServer(
      {
        submitTx,
        datasets,
        token: token === "" ? null : token,
        provedDatasets: () => zk?.datasets?.status() ?? [],
        evidenceRecords: () => gateway?.wellFormed() ?? { verified: [], refused: [], verifying: [] },
        evidence: (dataset) => zk?.datasets?.evidence(dataset) ?? Promise.resolve(null),
        onError: (e) => log.error("dataset operation failed", { error: String(e) }),
        reads: createChainReads({
          self: key.agency,
          store,
          ledger: chain.ledger,
          mempool,
          peers: () => network.peers().length,
          halted: () => driver.halted !== null,
          log: log.child("api"),
        }),
        audit: kept,
        status: () => ({
          chain: genesis.chainId,
          genesisHash: toHex(genesisHash(chain.ledger.hasher, genesis)),
          hashAlgorithm: genesis.hashAlgorithm,
          agency: key.agency,
          height: chain.ledger.head.height,
          appHash: toHex(chain.ledger.head.appHash),
          peers: network.peers().length,
          mempool: mempool.size,
          mempoolBytes: mempool.sizeBytes,
          mempoolFull: mempool.rejected.get("FULL") ?? 0,
          proposalBudgetBytes: driver.proposalBudget,
          inboxDrops: driver.counters.inboxDrops,
          halted: driver.halted !== null,
          ...memoryStatus(store),
          signatureChecks: verifier.stats.checks,
          signatureCacheHits: verifier.stats.cacheHits,
        }),
        async block(height) {
          const b = await store.ledger.getBlock(height);
          return (
            b && { height: b.height, hash: toHex(b.hash), appHash: toHex(b.resultAppHash), txs: b.txs.length }
          );
        },
      },
      config.api.http,
    );
    await new Promise<void>((resolve) => api.listen(config.api.port, config.api.host, resolve));
    closers.push(() => new Promise<void>((resolve) => api.close(() => resolve())));
    const apiPort = (api.address() as AddressInfo).port;
    if (config.gateway !== undefined) {
      const audit = createChainAudit()({
        agency: key.agency,
        genesisFile: config.genesis,
        blocks: storeBlockSource(store),
        kept,
        height: () => chain.ledger.head.height,
        now: Date.now,
        log: log.child("audit"),
      });
      closers.push(() => audit.close());
      const g = await startGateway(config.gateway, {
        agency: key.agency,
        signer: key.signer,
        verifier,
        chain,
        store,
        submitTx,
        audit,
        ...(zk === null
          ? {}
          : {
              prover: zk.prover,
              answerVerifier: zk.verifier,
              wellFormed: { verify: zk.verifyEvidence, required: zk.requireEvidence },
              ...(zk.datasets === undefined
                ? {}
                : { evidence: (dataset: string) => zk.datasets?.evidence(dataset) ?? Promise.resolve(null) }),
            }),
        log: log.child("gateway"),
      });
      closers.push(() => g.close());
      gateway = g;
    }
    log.info("peer started", { agency: key.agency, apiPort, validator: isValidator });
    return { agency: key.agency, apiPort, network, gateway, zk, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
