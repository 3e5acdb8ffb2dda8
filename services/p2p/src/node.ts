import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type GossipSub, gossipsub, StrictSign } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { ConnectionGater, PrivateKey } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { createLibp2p, type Libp2p } from "libp2p";
import type { NetworkConfig } from "./config.js";
import { GOSSIP_TOPICS, topicString } from "./topics.js";

/** The services every Coken libp2p node runs. */
export type NodeServices = {
  identify: Identify;
  pubsub: GossipSub;
};

export type CokenLibp2p = Libp2p<NodeServices>;

// Room for the signature, key, seqno, topic and control parts around one message in a gossipsub RPC.
const RPC_OVERHEAD_BYTES = 64 * 1024;

/**
 * Builds (without starting) the libp2p node: TCP, noise, yamux, identify and gossipsub tuned for a small
 * permissioned network: every message signed (StrictSign), flood publish so a vote reaches every validator
 * directly, no emit to self, no floodsub fallback or peer exchange, only this chain's topics, and publishing
 * with no subscribed peer is not an error (a lone validator keeps running).
 */
export async function createNode(
  config: NetworkConfig,
  privateKey: PrivateKey,
  gater: ConnectionGater,
): Promise<CokenLibp2p> {
  return createLibp2p<NodeServices>({
    start: false,
    privateKey,
    addresses: { listen: config.listen.map((a) => a.toString()) },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // A stream whose unread data passes maxReadBufferLength is aborted; yamux's default (4 MiB) is less than a
    // few large gossip messages that arrive while the event loop is busy applying a block, and a gossip stream
    // aborted that way left validators without a path to each other until they restarted. A block sync response
    // (up to maxFrameBytes, on its own stream) must fit too, whatever the gossip bound.
    streamMuxers: [
      yamux({
        streamOptions: {
          maxReadBufferLength: Math.max(
            4 << 20,
            4 * (config.maxMessageBytes + RPC_OVERHEAD_BYTES),
            config.maxFrameBytes + RPC_OVERHEAD_BYTES,
          ),
        },
      }),
    ],
    connectionGater: gater,
    connectionManager: { inboundConnectionThreshold: config.inboundConnectionThreshold },
    // libp2p pings every connection each 10 s and aborts it when a ping takes longer than an adaptive timeout
    // (at least 5 s). A validator busy applying a multi-megabyte block on a shared machine can miss that, and
    // every abort cost the cluster a redial and its gossip mesh; a peer that stays silent for 30 s is still cut.
    connectionMonitor: { pingTimeout: { minTimeout: 30_000, maxTimeout: 120_000 } },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictSign,
        emitSelf: false,
        floodPublish: true,
        allowPublishToZeroTopicPeers: true,
        fallbackToFloodsub: false,
        doPX: false,
        allowedTopics: GOSSIP_TOPICS.map((t) => topicString(config.chainId, t)),
        maxInboundDataLength: config.maxMessageBytes * 2 + RPC_OVERHEAD_BYTES,
      }),
    },
  });
}
