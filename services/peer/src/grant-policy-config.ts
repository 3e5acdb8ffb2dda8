import { configFieldsOf } from "./config-reference.js";

/** This agency's policy for one grant, on either side of it (`gateway.grantPolicy.<grant>`). */
export interface GrantPolicyConfig {
  /** As the grantee: the minimum group size k sent with every call and required of counts and sums. */
  minGroupSize?: number;
  /** As the grantor: threshold queries answered per record key under the grant (counted in the store). */
  thresholdQueriesPerKey?: number;
}

/** Largest minimum group size the circuits accept. */
const MAX_GROUP = 2 ** 20;

/**
 * Parses `gateway.grantPolicy` (grant id → policy); `bad(path, message)` builds the section's error type.
 * Absent: no policy for any grant.
 */
export function parseGrantPolicies(
  v: unknown,
  path: string,
  bad: (path: string, message: string) => Error,
): Record<string, GrantPolicyConfig> {
  if (v === undefined) return {};
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObject(v)) throw bad(path, "expected an object of grant id → policy");
  const allowed = configFieldsOf("gateway.grantPolicy.<grant>");
  const int = (x: unknown, at: string, min: number, max: number): number => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max)
      throw bad(at, `expected an integer in ${min}..${max}`);
    return x;
  };
  return Object.fromEntries(
    Object.entries(v).map(([grant, p]) => {
      const at = `${path}.${grant}`;
      if (!isObject(p)) throw bad(at, "expected {minGroupSize?, thresholdQueriesPerKey?}");
      for (const k of Object.keys(p)) if (!allowed.includes(k)) throw bad(`${at}.${k}`, "unknown field");
      const policy: GrantPolicyConfig = {};
      if (p.minGroupSize !== undefined)
        policy.minGroupSize = int(p.minGroupSize, `${at}.minGroupSize`, 0, MAX_GROUP);
      if (p.thresholdQueriesPerKey !== undefined)
        policy.thresholdQueriesPerKey = int(
          p.thresholdQueriesPerKey,
          `${at}.thresholdQueriesPerKey`,
          1,
          1_000_000,
        );
      return [grant, policy];
    }),
  );
}
