import type { AgencyId, Validator } from "@coken/ledger";

/*
 * CometBFT's proposer selection (types/validator_set.go, spec/consensus/proposer-selection.md): every election adds
 * each validator's power to its priority, elects the highest priority (ties: the lower agency id) and takes the
 * total power off the one elected. Priorities start at 0; a set elects once when created (CometBFT's
 * NewValidatorSet), once per later height, and once per round above 0, so (height h, round r) is election h + r.
 *
 * From all-zero priorities the sum stays 0, so CometBFT's centring is a no-op; the spread stays below 2·P (checked
 * by test), so its rescaling is a no-op; and after P/g elections (P total power, g the gcd of the powers) every
 * validator was elected power/g times and all priorities are 0 again. Election k therefore equals election
 * ((k - 1) mod P/g) + 1, which keeps the cost bounded by one period whatever the height.
 */

/** Periods up to this length are precomputed once per validator set; longer ones are walked on each call. */
const MAX_CACHED_PERIOD = 1 << 16;

/** Who proposes at each (height, round) for one validator set. */
export interface ProposerSchedule {
  /** Number of elections after which the sequence repeats. */
  readonly period: number;
  proposer(height: number, round: number): AgencyId;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Builds the proposer schedule of a non-empty validator set with positive integer powers. */
export function proposerSchedule(validators: readonly Validator[]): ProposerSchedule {
  if (validators.length === 0) throw new RangeError("empty validator set");
  const sorted = [...validators].sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0));
  for (const [i, v] of sorted.entries()) {
    if (i > 0 && sorted[i - 1]?.agency === v.agency)
      throw new RangeError(`validator ${v.agency} listed twice`);
    if (!Number.isSafeInteger(v.power) || v.power <= 0) throw new RangeError(`bad power for ${v.agency}`);
  }
  const g = sorted.reduce((acc, v) => gcd(acc, v.power), 0);
  const powers = sorted.map((v) => v.power / g);
  const total = powers.reduce((a, b) => a + b, 0);
  const period = total;

  // Runs elections 1..count from all-zero priorities; returns the index elected last.
  const elect = (count: number, record?: Uint32Array): number => {
    const priority = new Array<number>(powers.length).fill(0);
    let elected = 0;
    for (let e = 0; e < count; e++) {
      elected = 0;
      for (let i = 0; i < powers.length; i++) {
        priority[i] = (priority[i] as number) + (powers[i] as number);
        // Strictly greater: on a tie the earlier (lower) agency id stays elected.
        if ((priority[i] as number) > (priority[elected] as number)) elected = i;
      }
      priority[elected] = (priority[elected] as number) - total;
      if (record !== undefined) record[e] = elected;
    }
    return elected;
  };

  let sequence: Uint32Array | null = null;
  if (period <= MAX_CACHED_PERIOD) {
    sequence = new Uint32Array(period);
    elect(period, sequence);
  }

  return {
    period,
    proposer(height, round) {
      if (!Number.isSafeInteger(height) || height < 1 || !Number.isSafeInteger(round) || round < 0) {
        throw new RangeError("height must be ≥ 1 and round ≥ 0");
      }
      const k = ((height - 1 + (round % period)) % period) + 1;
      const index = sequence === null ? elect(k) : (sequence[k - 1] as number);
      return (sorted[index] as Validator).agency;
    },
  };
}

/** The proposer of (height, round) for a validator set: weighted round robin by proposer priority. */
export function proposer(validators: readonly Validator[], height: number, round: number): AgencyId {
  return proposerSchedule(validators).proposer(height, round);
}
