import type { GatewayRepository, StoredCall } from "@coken/store";
import { coalesce, type GroupWriter } from "../receipts/coalesce.js";

export type CallLogRepository = Pick<GatewayRepository, "recordCalls" | "getCalls" | "markCosigned">;
export type LoggedCall = Omit<StoredCall, "cosigned">;

interface Warn {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The asker's log of the calls it made and verified, read only when a provider asks it to co-sign their
 * receipts (seconds later, in batches). So the answer does not wait for it: `record` queues the call and returns,
 * and the log is group-committed in the background. A call lost before its write (the process died, or the
 * write failed twice) is simply not in the log, so its receipt is refused at co-signing: the asker never signs
 * for a call it cannot show, which is the safe direction (the provider sets the receipt aside as disputed).
 * Since a lost call costs no more than that, the writes do not wait for the database's log flush either
 * (`flush: false`): a crash of the database host may lose the last moments of calls, with the same outcome.
 * Reads wait for the writes queued before them, so a co-signing request never misses a call this process did log.
 */
export class CallLog {
  // One log per store repository: the federation client writes through it and the peer endpoint's co-signer
  // reads through it, and the read must wait for that same queue.
  /** Calls wait this long for company before their group is written (nothing waits for it but co-signing). */
  static readonly LINGER_MS = 20;
  private static readonly byRepository = new WeakMap<CallLogRepository, CallLog>();

  private readonly write: GroupWriter<LoggedCall>;
  private readonly writing = new Set<Promise<void>>();
  private lostCalls = 0;

  private constructor(
    private readonly repo: CallLogRepository,
    private readonly log?: Warn,
  ) {
    this.write = coalesce((calls) => repo.recordCalls(calls, { flush: false }), {
      lingerMs: CallLog.LINGER_MS,
    });
  }

  /** The call log of `repo` (the same instance for every caller in this process). */
  static of(repo: CallLogRepository, log?: Warn): CallLog {
    let callLog = CallLog.byRepository.get(repo);
    if (callLog === undefined) {
      callLog = new CallLog(repo, log);
      CallLog.byRepository.set(repo, callLog);
    }
    return callLog;
  }

  /** Queues a verified call for the log; a failed group write is tried once more, then the call is given up. */
  record(call: LoggedCall): void {
    const written = this.write(call)
      .catch(() => this.write(call))
      .catch(() => {
        this.lostCalls++;
        this.log?.warn("call log write failed: the receipt of this call will not be co-signed", {
          provider: call.provider,
        });
      })
      .finally(() => this.writing.delete(written));
    this.writing.add(written);
  }

  /** Resolves once every call recorded before now is written (or given up). */
  async settled(): Promise<void> {
    this.write.flush();
    await Promise.all([...this.writing]);
  }

  /** Calls lost since start (their writes failed twice). */
  get lost(): number {
    return this.lostCalls;
  }

  async getCalls(receiptIds: Uint8Array[]): Promise<StoredCall[]> {
    await this.settled();
    return this.repo.getCalls(receiptIds);
  }

  markCosigned(receiptIds: Uint8Array[]): Promise<void> {
    return this.repo.markCosigned(receiptIds);
  }
}
