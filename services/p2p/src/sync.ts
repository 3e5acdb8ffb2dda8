import type { Connection, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { PeerAccess } from "./access.js";
import { NetworkError } from "./errors.js";
import { errorMessage, type NetworkLogger } from "./log.js";
import {
  decodeRequest,
  decodeResponse,
  encodeError,
  encodeOk,
  FRAME_REMOTE_ERROR,
  FRAME_TOO_LARGE,
  lengthPrefixed,
} from "./sync-frame.js";

/** Answers one sync request from `from`; a throw is sent back as a REMOTE_ERROR (its message, cut short). */
export type SyncHandler = (request: Uint8Array, from: PeerId) => Promise<Uint8Array>;

/** Per-request options. */
export interface RequestOptions {
  /** Give up after this many ms (default: the network's requestTimeoutMs). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What the sync service needs from the libp2p node. */
export interface SyncComponents {
  connection(peer: PeerId): Connection | undefined;
  handle(protocol: string, handler: (stream: Stream, connection: Connection) => Promise<void>): Promise<void>;
  access: PeerAccess;
  log: NetworkLogger;
  reportInvalid(peer: PeerId, reason: string): void;
}

// lpStream's byte buffer aborts the stream when one burst overflows it, before the length check can answer,
// so it gets room for a frame plus a muxer window's worth of what follows.
const READ_SLACK_BYTES = 1024 * 1024;

const TOO_LARGE_ERRORS = new Set(["InvalidDataLengthError", "InvalidDataLengthLengthError"]);

function isTooLarge(err: unknown): boolean {
  return err instanceof Error && TOO_LARGE_ERRORS.has(err.name);
}

/**
 * Request/response over `/coken/<chain>/sync/1.0.0`: one length-prefixed request frame and one response frame
 * per stream, both bounded by maxFrameBytes. Every failure reaches the caller as a typed NetworkError.
 */
export class SyncService {
  private handler: SyncHandler | undefined;
  private readonly stopping = new AbortController();
  private running = false;

  constructor(
    private readonly components: SyncComponents,
    private readonly protocol: string,
    private readonly maxFrameBytes: number,
    private readonly timeoutMs: number,
  ) {}

  /** Registers the protocol with the node. */
  async start(): Promise<void> {
    await this.components.handle(this.protocol, this.onStream);
    this.running = true;
  }

  /** Fails every request in flight with CLOSED and refuses new ones. */
  stop(): void {
    this.running = false;
    this.stopping.abort(new NetworkError("CLOSED", "network stopped"));
  }

  /** Sets (or replaces) the handler that answers requests. */
  handle(handler: SyncHandler): void {
    this.handler = handler;
  }

  /** Sends `data` to `peer` and resolves to its answer. */
  async request(peer: PeerId, data: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    const id = peer.toString();
    if (!this.running) throw new NetworkError("CLOSED", "network is not running", { peer: id });
    if (!(data instanceof Uint8Array)) throw new NetworkError("INVALID_CONFIG", "request must be bytes");
    if (data.length > this.maxFrameBytes) {
      throw new NetworkError("FRAME_TOO_LARGE", `request of ${data.length} bytes is over the bound`, {
        peer: id,
      });
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new NetworkError("INVALID_CONFIG", "bad timeoutMs");
    if (options.signal?.aborted) throw new NetworkError("ABORTED", "request aborted", { peer: id });
    const connection = this.components.connection(peer);
    if (connection === undefined)
      throw new NetworkError("NOT_CONNECTED", "no connection to peer", { peer: id });

    const ctrl = new AbortController();
    const timer = setTimeout(
      () => ctrl.abort(new NetworkError("TIMEOUT", "request timed out", { peer: id })),
      timeoutMs,
    );
    const onAbort = (): void => ctrl.abort(new NetworkError("ABORTED", "request aborted", { peer: id }));
    const onStop = (): void => ctrl.abort(new NetworkError("CLOSED", "network stopped", { peer: id }));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.stopping.signal.addEventListener("abort", onStop, { once: true });
    const signal = ctrl.signal;
    let stream: Stream | undefined;
    try {
      stream = await connection.newStream(this.protocol, { signal });
      return await this.exchange(stream, data, signal, id);
    } catch (err) {
      const error = this.requestError(err, signal, id);
      stream?.abort(error);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      this.stopping.signal.removeEventListener("abort", onStop);
    }
  }

  /** Writes the request frame, half-closes, reads the one response frame. */
  private async exchange(
    stream: Stream,
    data: Uint8Array,
    signal: AbortSignal,
    peer: string,
  ): Promise<Uint8Array> {
    const lp = this.framed(stream);
    await lp.write(encodeOk(data), { signal });
    await stream.close({ signal });
    const response = decodeResponse((await lp.read({ signal })).subarray());
    switch (response.kind) {
      case "ok":
        return response.payload;
      case "too-large":
        throw new NetworkError("FRAME_TOO_LARGE", `peer refused: ${response.reason}`, { peer, remote: true });
      case "remote-error":
        throw new NetworkError("REMOTE_ERROR", `peer failed: ${response.reason}`, { peer, remote: true });
      default:
        throw new NetworkError("REMOTE_ERROR", "malformed response", { peer, remote: true });
    }
  }

  private framed(stream: Stream) {
    return lpStream(stream, {
      maxDataLength: this.maxFrameBytes + 1,
      maxBufferSize: this.maxFrameBytes + READ_SLACK_BYTES,
    });
  }

  private requestError(err: unknown, signal: AbortSignal, peer: string): NetworkError {
    if (signal.aborted && signal.reason instanceof NetworkError) return signal.reason;
    if (err instanceof NetworkError) return err;
    if (isTooLarge(err))
      return new NetworkError("FRAME_TOO_LARGE", "response over the bound", { peer, cause: err });
    if (err instanceof Error && err.name === "UnsupportedProtocolError") {
      return new NetworkError("REMOTE_ERROR", "peer does not serve sync", { peer, remote: true, cause: err });
    }
    return new NetworkError("CLOSED", "stream closed before an answer", { peer, cause: err });
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer;
    if (!this.components.access.isAllowed(peer)) {
      stream.abort(new Error("peer not allowed"));
      return;
    }
    const lp = this.framed(stream);
    try {
      let frame: Uint8Array;
      try {
        frame = (await lp.read({ signal: this.deadline() })).subarray();
      } catch (err) {
        if (!isTooLarge(err)) throw err;
        // Drop the rest of the oversized request instead of buffering it, and say why.
        lp.unwrap().addEventListener("message", () => {});
        stream.send(lengthPrefixed(encodeError(FRAME_TOO_LARGE, "request over the bound")));
        await stream.close({ signal: this.deadline() });
        return;
      }
      const reply = await this.answer(frame, peer);
      const signal = this.deadline(); // the handler may outlast the read's allowance; the write gets its own
      await lp.write(reply, { signal });
      await stream.close({ signal });
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      this.components.log.debug("sync stream failed", { peer: peer.toString(), error: errorMessage(err) });
    }
  };

  /** Serving side: how long one read or write may take, cut short by stop(). */
  private deadline(): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopping.signal]);
  }

  private async answer(frame: Uint8Array, peer: PeerId): Promise<Uint8Array> {
    const request = decodeRequest(frame);
    if (request === undefined) {
      this.components.reportInvalid(peer, "sync-malformed-request");
      return encodeError(FRAME_REMOTE_ERROR, "malformed request");
    }
    const handler = this.handler;
    if (handler === undefined) return encodeError(FRAME_REMOTE_ERROR, "no sync handler");
    let response: Uint8Array;
    try {
      response = await handler(request, peer);
    } catch (err) {
      this.components.log.warn("sync handler failed", { peer: peer.toString(), error: errorMessage(err) });
      return encodeError(FRAME_REMOTE_ERROR, errorMessage(err));
    }
    if (!(response instanceof Uint8Array))
      return encodeError(FRAME_REMOTE_ERROR, "handler returned no bytes");
    if (response.length > this.maxFrameBytes) return encodeError(FRAME_TOO_LARGE, "response over the bound");
    return encodeOk(response);
  }
}
