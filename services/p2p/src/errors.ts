/** Why a network operation failed. Stable codes; branch on `code`, never on the message. */
export type NetworkErrorCode =
  | "TIMEOUT" // no answer within the request's time limit
  | "ABORTED" // the caller's AbortSignal fired first
  | "NOT_CONNECTED" // no open connection to that peer
  | "NOT_ALLOWED" // the peer is not on the allow-list, or is banned for now
  | "FRAME_TOO_LARGE" // a frame or gossip message above the configured bound (local or remote refusal)
  | "REMOTE_ERROR" // the remote handler failed, or answered with a malformed frame
  | "CLOSED" // the network is not running, or the stream closed before an answer
  | "INVALID_CONFIG"; // bad init, seed, key, multiaddr or argument

/** Messages never contain message bodies or key material. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  /** The peer involved, as a base58 PeerId string, when there is one. */
  readonly peer: string | undefined;
  /** True when the remote peer refused or failed, false when the refusal is local. */
  readonly remote: boolean;

  constructor(
    readonly code: NetworkErrorCode,
    message: string,
    options?: ErrorOptions & { peer?: string; remote?: boolean },
  ) {
    super(message, options);
    this.peer = options?.peer;
    this.remote = options?.remote ?? false;
  }
}

/** Whether `err` is a NetworkError, optionally with the given code. */
export function isNetworkError(err: unknown, code?: NetworkErrorCode): err is NetworkError {
  return err instanceof NetworkError && (code === undefined || err.code === code);
}
