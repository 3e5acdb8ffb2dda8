import type { Freeze, FreezeAction, FreezeTarget } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateOverlay } from "../state/view.js";

/** What one freeze-history event says beyond its target, position and action. */
export interface FreezeEventFacts {
  by: string;
  reason: string;
  rule: string | null;
  evidence: string | null;
  approvals: string[];
  height: number;
  time: number;
}

/** Appends an event to the target's freeze history: `freezeevent/<kind>/<id>/<n>`, then `freezelog` count + 1. */
export function logFreezeEvent(
  state: StateOverlay,
  target: FreezeTarget,
  action: FreezeAction,
  facts: FreezeEventFacts,
): void {
  const logKey = keys.freezelog(target.kind, target.id);
  const n = state.get(logKey)?.count ?? 0;
  state.set(keys.freezeevent(target.kind, target.id, n), {
    kind: target.kind,
    id: target.id,
    n,
    action,
    ...facts,
  });
  state.set(logKey, { count: n + 1 });
}

/** Writes a freeze record in force and its "freeze" history event. The caller checked it was not frozen. */
export function writeFreeze(state: StateOverlay, freeze: Freeze): void {
  state.set(keys.freeze(freeze.kind, freeze.id), freeze);
  const { kind, id, ...facts } = freeze;
  logFreezeEvent(state, { kind, id }, "freeze", facts);
}
