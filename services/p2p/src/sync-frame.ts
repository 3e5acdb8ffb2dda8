import { plainBytes } from "./bytes.js";

/**
 * Frames of the sync protocol. Each frame is one varint-length-prefixed message (the prefix is written by
 * lpStream) whose first byte says what it is:
 *   request:  0x00 payload
 *   response: 0x00 payload (ok) | 0x01 utf-8 reason (handler failed) | 0x02 utf-8 reason (frame too large)
 * One request and one response per stream.
 */
export const FRAME_OK = 0x00;
export const FRAME_REMOTE_ERROR = 0x01;
export const FRAME_TOO_LARGE = 0x02;

/** Longest reason text carried in an error frame, in bytes; longer ones are cut. */
export const MAX_REASON_BYTES = 256;

/** A decoded response frame. */
export type SyncResponse =
  | { readonly kind: "ok"; readonly payload: Uint8Array }
  | { readonly kind: "remote-error" | "too-large"; readonly reason: string }
  | { readonly kind: "malformed" };

/** The frame carrying `payload` (a request, or an ok response). */
export function encodeOk(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = FRAME_OK;
  out.set(payload, 1);
  return out;
}

/** An error response frame; `reason` is cut to MAX_REASON_BYTES. */
export function encodeError(
  status: typeof FRAME_REMOTE_ERROR | typeof FRAME_TOO_LARGE,
  reason: string,
): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, MAX_REASON_BYTES);
  const out = new Uint8Array(text.length + 1);
  out[0] = status;
  out.set(text, 1);
  return out;
}

/** The payload of a request frame, or undefined if the frame is not a request. */
export function decodeRequest(frame: Uint8Array): Uint8Array | undefined {
  return frame.length >= 1 && frame[0] === FRAME_OK ? plainBytes(frame.subarray(1)) : undefined;
}

/** Decodes a response frame; never throws. */
export function decodeResponse(frame: Uint8Array): SyncResponse {
  if (frame.length === 0) return { kind: "malformed" };
  const body = frame.subarray(1);
  // Peer-controlled text: bounded, and without control characters, before it goes into an error message.
  const reason = (): string =>
    new TextDecoder().decode(body.subarray(0, MAX_REASON_BYTES)).replace(/\p{Cc}/gu, "?");
  switch (frame[0]) {
    case FRAME_OK:
      return { kind: "ok", payload: plainBytes(body) };
    case FRAME_REMOTE_ERROR:
      return { kind: "remote-error", reason: reason() };
    case FRAME_TOO_LARGE:
      return { kind: "too-large", reason: reason() };
    default:
      return { kind: "malformed" };
  }
}

/** `frame` behind its unsigned varint length, as lpStream writes it (for writing without an lpStream). */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let n = frame.length;
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  prefix.push(n);
  const out = new Uint8Array(prefix.length + frame.length);
  out.set(prefix, 0);
  out.set(frame, prefix.length);
  return out;
}
