import type { GrantId } from "@coken/ledger";
import type { QueryProver } from "@coken/zk";
import { GatewayError } from "../errors.js";

/** What a provider allows under one grant beyond the ledger's quota (docs/spec/zk.md §10). */
export interface ProviderGrantPolicy {
  /** Threshold queries answered per record key under the grant; absent: unlimited. */
  thresholdQueriesPerKey?: number;
}

/** Largest minimum group size a request may ask for (the circuits' bound). */
const MAX_GROUP = 2 ** 20;

/** The asker's minimum group size as sent with a call: absent or an integer in 0..2^20, else BAD_USER_INPUT. */
export function parseMinGroupSize(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_GROUP)
    throw new GatewayError("BAD_USER_INPUT", "minGroupSize must be an integer in 0..2^20");
  return v;
}

/** Where threshold-query counts are kept: the gateway's store (`GatewayRepository.takeThresholdQuery`). */
export interface ThresholdCounts {
  takeThresholdQuery(grant: string, dataset: string, recordKey: string, cap: number): Promise<boolean>;
}

/**
 * Counts threshold queries per (grant, dataset, record key) and refuses one past the grant's cap: each such
 * answer is one bit about one record, and about 64 of them binary-search a 64-bit value. The counts are in the
 * store, so a restart does not reset them.
 */
export class ThresholdCaps {
  constructor(
    private readonly policy: (grant: GrantId) => ProviderGrantPolicy | undefined,
    private readonly counts: ThresholdCounts,
  ) {}

  /** Takes one threshold query on `key`; throws FORBIDDEN past the cap (nothing is taken then). */
  async take(grant: GrantId, dataset: string, key: string): Promise<void> {
    const cap = this.policy(grant)?.thresholdQueriesPerKey;
    if (cap === undefined) return;
    if (!(await this.counts.takeThresholdQuery(grant, dataset, key, cap)))
      throw new GatewayError("FORBIDDEN", "the grant's threshold queries on this record are used up");
  }
}

/**
 * The prover as one call sees it: proofs enforce the asker's minimum group size (the larger of it and the
 * provider's own, in the prover) and threshold queries count against the grant's cap before any proving.
 */
export function policyProver(
  prover: QueryProver,
  call: { grant: GrantId; minGroupSize: number | undefined },
  caps: ThresholdCaps,
): QueryProver {
  return {
    async prove(dataset, query, binding, options = {}) {
      if (query.kind === "threshold") await caps.take(call.grant, dataset, query.key);
      const minGroupSize = call.minGroupSize ?? options.minGroupSize;
      return prover.prove(dataset, query, binding, {
        ...options,
        ...(minGroupSize === undefined ? {} : { minGroupSize }),
      });
    },
    close: () => prover.close(),
  };
}
