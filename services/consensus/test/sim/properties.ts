import { LIVENESS_BOUND_MS, lastFaultEnd } from "./scenarios.js";
import type { Outcome, Scenario } from "./world.js";

/** A property of a run that did not hold, with what shows it. */
export interface Broken {
  readonly property: "safety" | "locking" | "certificates" | "replay" | "liveness" | "evidence";
  readonly detail: string;
}

/**
 * What went wrong in a run (empty when nothing did): two blocks decided at one height, an honest prevote against a
 * lock without a proof of lock, a commit certificate the ledger refuses, a WAL replay that did not rebuild the state,
 * honest nodes that did not reach the target height within LIVENESS_BOUND_MS of the last fault, evidence that does
 * not verify.
 */
export function brokenProperties(s: Scenario, o: Outcome): Broken[] {
  const broken: Broken[] = [];
  const add = (property: Broken["property"], details: readonly string[]) => {
    if (details.length > 0) broken.push({ property, detail: details.join("; ") });
  };
  add("safety", o.violations);
  add("locking", o.unjustifiedPrevotes);
  add("certificates", o.badCertificates > 0 ? [`${o.badCertificates} refused by verifyCommit`] : []);
  add("replay", o.replayMismatches);
  const live = o.finishedAtMs !== null && o.finishedAtMs - lastFaultEnd(s) <= LIVENESS_BOUND_MS;
  add("liveness", live ? [] : [`honest nodes at heights ${o.heights} (finished at ${o.finishedAtMs})`]);
  add("evidence", o.badEvidence > 0 ? [`${o.badEvidence} items do not verify`] : []);
  return broken;
}
