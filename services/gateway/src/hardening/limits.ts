import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";

/** Static limits on one GraphQL document, checked before execution. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** graphql-armor cost: objects 2, scalars 1, multiplied by depth factor 1.5. */
  maxCost: number;
  /** Bracket nesting in the raw text (selections, lists, objects, arguments), checked before parsing. */
  maxNesting: number;
}

/** Sized for the officials' schema: the deepest useful query (region → agency → dataset → answer) is depth 5. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  maxCost: 5000,
  maxNesting: 64,
};

/** Stable codes for the limit a document broke (`extensions.code`). */
export type LimitCode =
  | "DEPTH_LIMIT"
  | "ALIAS_LIMIT"
  | "TOKEN_LIMIT"
  | "DIRECTIVE_LIMIT"
  | "COST_LIMIT"
  | "NESTING_LIMIT";

/**
 * The graphql-armor plugin for `limits`, field suggestions blocked. A rejection becomes a GraphQL error with a
 * stable code; the limit's value is not echoed back (it tells a prober exactly how far to go).
 */
export function queryLimitPlugin(limits: QueryLimits): Plugin {
  const reject =
    (code: LimitCode, message: string) =>
    (ctx: ValidationContext | null): void => {
      const error = new GraphQLError(message, { extensions: { code } });
      // Validation-phase rules report into the context; the token limit runs in the parser and must throw.
      if (ctx === null) throw error;
      ctx.reportError(error);
    };
  const common = (code: LimitCode, message: string) => ({
    exposeLimits: false,
    propagateOnRejection: false,
    onReject: [reject(code, message)],
  });
  return EnvelopArmorPlugin({
    blockFieldSuggestion: { enabled: true },
    maxTokens: { n: limits.maxTokens, ...common("TOKEN_LIMIT", "document has too many tokens") },
    maxDepth: { n: limits.maxDepth, ...common("DEPTH_LIMIT", "query is too deep") },
    maxAliases: { n: limits.maxAliases, ...common("ALIAS_LIMIT", "query has too many aliases") },
    maxDirectives: { n: limits.maxDirectives, ...common("DIRECTIVE_LIMIT", "query has too many directives") },
    costLimit: { maxCost: limits.maxCost, ...common("COST_LIMIT", "query is too costly") },
  }) as Plugin;
}
