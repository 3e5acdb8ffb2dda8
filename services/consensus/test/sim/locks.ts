import { toHex } from "@coken/ledger";
import type { ConsensusMessage } from "../../src/index.js";
import type { SimNode } from "./node.js";

/**
 * The locking rule as a property of what honest nodes send. A node that precommitted a block in round lr locked it
 * (line 36 locks exactly what it precommits); it may prevote another block in a later round r only with a proof of
 * lock: a quorum of prevotes for that block in a round vr with lr ≤ vr < r (line 28). A prevote without one is what
 * an amnesiac validator sends. The lock is read off the node's own precommits, not its state, so a core that keeps
 * its lock wrong is still judged by what it signed.
 */
export class LockWatch {
  /** Latest block precommitted, per node and height. */
  private readonly locks = new Map<string, { round: number; key: string }>();

  /**
   * Looks at a message `node` sends, with the state of the step that made it (a step adds no prevote of an earlier
   * round, so the log holds every proof of lock the node had). Returns what is wrong with it, or null.
   */
  check(node: SimNode, m: ConsensusMessage): string | null {
    if (m.kind !== "vote" || m.vote.blockHash === null) return null;
    const v = m.vote;
    const id = `${node.index}/${v.height}`;
    const key = toHex(m.vote.blockHash);
    const lock = this.locks.get(id);
    if (v.type === "precommit") {
      if (lock === undefined || v.round > lock.round) this.locks.set(id, { round: v.round, key });
      return null;
    }
    if (lock === undefined || lock.key === key || lock.round >= v.round) return null;
    const total = node.state.validators.totalPower;
    for (let vr = lock.round; vr < v.round; vr++) {
      const power = node.state.log.get(vr)?.prevote.power.get(key) ?? 0;
      if (power * 3 > total * 2) return null;
    }
    return (
      `node ${node.index} at height ${v.height} prevoted ${key.slice(0, 8)} in round ${v.round} while locked on ` +
      `${lock.key.slice(0, 8)} since round ${lock.round}, with no proof of lock from rounds ${lock.round}–${v.round - 1}`
    );
  }
}
