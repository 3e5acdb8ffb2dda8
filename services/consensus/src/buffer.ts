import { toHex } from "@coken/ledger";
import type { ConsensusMessage } from "./types.js";

/**
 * Messages for heights this node has not started, kept (unverified: the validator set of a later height is not
 * known yet) until `start` reaches their height. Bounded; immutable.
 */
export type FutureBuffer = readonly BufferedMessage[];

export interface BufferedMessage {
  readonly message: ConsensusMessage;
  readonly height: number;
  /** Kind and signature: an identical resend is held once. */
  readonly id: string;
}

/** The height a message belongs to. */
export function messageHeight(m: ConsensusMessage): number {
  return m.kind === "vote" ? m.vote.height : m.proposal.height;
}

/**
 * Adds a message, or says why not: an identical one is held already, or the buffer is full of messages for heights
 * no higher than this one. When full, the message of the highest height makes room for a lower one, so far-future
 * junk cannot crowd out the next height.
 */
export function buffer(
  buf: FutureBuffer,
  m: ConsensusMessage,
  cap: number,
): FutureBuffer | "duplicate" | "full" {
  const id = m.kind === "vote" ? `v${toHex(m.vote.signature)}` : `p${toHex(m.proposal.signature)}`;
  if (buf.some((b) => b.id === id)) return "duplicate";
  const entry = { message: m, height: messageHeight(m), id };
  if (buf.length < cap) return [...buf, entry];
  let highest = -1;
  for (const [i, b] of buf.entries()) if (highest < 0 || b.height > (buf[highest]?.height ?? 0)) highest = i;
  if (highest < 0 || (buf[highest]?.height ?? 0) <= entry.height) return "full";
  return [...buf.slice(0, highest), ...buf.slice(highest + 1), entry];
}

/** Splits off the messages of `height` (in arrival order), dropping those of lower heights. */
export function release(
  buf: FutureBuffer,
  height: number,
): { ready: ConsensusMessage[]; rest: FutureBuffer } {
  const ready: ConsensusMessage[] = [];
  const rest: BufferedMessage[] = [];
  for (const b of buf) {
    if (b.height === height) ready.push(b.message);
    else if (b.height > height) rest.push(b);
  }
  return { ready, rest };
}
