import { type GossipSub, type Message, TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import type { PeerAccess } from "./access.js";
import { plainBytes } from "./bytes.js";
import { NetworkError } from "./errors.js";
import { errorMessage, type NetworkLogger } from "./log.js";
import { GOSSIP_TOPICS, type GossipTopic, isGossipTopic, topicString } from "./topics.js";

/** Receives one gossip message: its bytes and the peer that authored (signed) it. */
export type GossipHandler = (data: Uint8Array, from: PeerId) => void | Promise<void>;

/** What the router needs around it. */
export interface GossipRouterComponents {
  pubsub: GossipSub;
  access: PeerAccess;
  log: NetworkLogger;
  /** Called for data that breaks the rules, with the peer that sent it to us. */
  reportInvalid(peer: PeerId, reason: string): void;
}

/**
 * The consensus topics of one chain over gossipsub: subscribes to all of them, drops messages over their topic's
 * size bound or authored by peers outside the allow-list (in the topic validator, so they are not forwarded
 * either), and hands the rest to the handlers registered per topic.
 */
export class GossipRouter {
  private readonly handlers = new Map<GossipTopic, Set<GossipHandler>>();
  private readonly byTopicString = new Map<string, GossipTopic>();

  constructor(
    private readonly components: GossipRouterComponents,
    private readonly chainId: string,
    private readonly maxBytes: Readonly<Record<GossipTopic, number>>,
  ) {
    for (const t of GOSSIP_TOPICS) this.byTopicString.set(topicString(chainId, t), t);
  }

  /** Installs validators and the message listener, and subscribes to every topic. */
  start(): void {
    const { pubsub } = this.components;
    for (const topic of this.byTopicString.keys()) {
      pubsub.topicValidators.set(topic, (from, msg) => this.validate(from, msg));
      pubsub.subscribe(topic);
    }
    pubsub.addEventListener("message", this.onMessage);
  }

  /** Removes the listener (gossipsub itself is stopped with the node). */
  stop(): void {
    this.components.pubsub.removeEventListener("message", this.onMessage);
  }

  /** Registers `handler` for `topic`; returns a function that removes it. */
  on(topic: GossipTopic, handler: GossipHandler): () => void {
    if (!isGossipTopic(topic)) throw new NetworkError("INVALID_CONFIG", "unknown gossip topic");
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler);
    this.handlers.set(topic, set);
    return () => {
      set.delete(handler);
    };
  }

  /** Publishes `data` on `topic`; resolves to the number of peers it was sent to. */
  async publish(topic: GossipTopic, data: Uint8Array): Promise<number> {
    if (!isGossipTopic(topic)) throw new NetworkError("INVALID_CONFIG", "unknown gossip topic");
    if (!(data instanceof Uint8Array)) throw new NetworkError("INVALID_CONFIG", "gossip data must be bytes");
    if (data.length > this.maxBytes[topic]) {
      throw new NetworkError(
        "FRAME_TOO_LARGE",
        `gossip message of ${data.length} bytes is over the ${topic} bound`,
      );
    }
    const result = await this.components.pubsub.publish(topicString(this.chainId, topic), data);
    return result.recipients.length;
  }

  /** The connected peers that subscribe to `topic`. */
  subscribers(topic: GossipTopic): PeerId[] {
    return this.components.pubsub.getSubscribers(topicString(this.chainId, topic));
  }

  private validate(propagationSource: PeerId, msg: Message): TopicValidatorResult {
    if (msg.type !== "signed") return TopicValidatorResult.Reject; // StrictSign already refuses these
    const topic = this.byTopicString.get(msg.topic);
    if (topic === undefined) return TopicValidatorResult.Reject; // gossipsub's allowedTopics already refuses these
    if (msg.data.length > this.maxBytes[topic]) {
      this.components.reportInvalid(propagationSource, "gossip-oversize");
      return TopicValidatorResult.Reject;
    }
    const refusal = this.components.access.refusal(msg.from);
    if (refusal === "not-allowed") {
      this.components.reportInvalid(propagationSource, "gossip-foreign-author");
      return TopicValidatorResult.Reject;
    }
    // A banned author's messages are ignored but not held against whoever relayed them.
    if (refusal !== undefined) return TopicValidatorResult.Ignore;
    return TopicValidatorResult.Accept;
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail;
    const topic = this.byTopicString.get(msg.topic);
    if (topic === undefined || msg.type !== "signed") return;
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        Promise.resolve(handler(plainBytes(msg.data), msg.from)).catch((err: unknown) =>
          this.handlerFailed(topic, msg, err),
        );
      } catch (err) {
        this.handlerFailed(topic, msg, err);
      }
    }
  };

  private handlerFailed(topic: GossipTopic, msg: Message & { type: "signed" }, err: unknown): void {
    this.components.log.warn("gossip handler failed", {
      topic,
      from: msg.from.toString(),
      bytes: msg.data.length,
      error: errorMessage(err),
    });
  }
}
