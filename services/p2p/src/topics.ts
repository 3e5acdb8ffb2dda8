/**
 * The gossip channels the consensus driver uses. Each is carried on its own gossipsub topic per chain. A proposal
 * travels as its signed header on `proposals` and its block's parts on `parts`.
 */
export type GossipTopic = "txs" | "proposals" | "parts" | "votes" | "evidence";
export const GOSSIP_TOPICS: readonly GossipTopic[] = ["txs", "proposals", "parts", "votes", "evidence"];

/** The gossipsub topic string of `topic` on chain `chainId`. */
export function topicString(chainId: string, topic: GossipTopic): string {
  return `/coken/${chainId}/${topic}/1`;
}

/** The request/response protocol used for block sync on chain `chainId`. */
export function syncProtocol(chainId: string): string {
  return `/coken/${chainId}/sync/1.0.0`;
}

/** Whether `value` names one of the gossip topics. */
export function isGossipTopic(value: unknown): value is GossipTopic {
  return typeof value === "string" && (GOSSIP_TOPICS as readonly string[]).includes(value);
}
