import { GraphQLError } from "graphql";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import { type QueryLimits, queryLimitPlugin } from "../hardening/limits.js";
import { nestingLimit } from "../hardening/nesting.js";

/**
 * Sized for the inter-agency schema: every document its clients send (a dataset call, a receipt state, a
 * co-signing) is two levels deep, needs no alias and fewer than 60 tokens; a dataset query written inline
 * rather than as a variable stays within 400 tokens and 8 brackets. One `receipt` field is one store read, and
 * a field repeated under the same name runs once, so the alias limit bounds the reads of one operation.
 */
export const DEFAULT_PEER_QUERY_LIMITS: QueryLimits = {
  maxDepth: 4,
  maxAliases: 2,
  maxTokens: 600,
  maxDirectives: 4,
  maxCost: 60,
  maxNesting: 16,
};

/**
 * Refuses a batch of more than `maxBatch` operations with BATCH_LIMIT (HTTP 413) as soon as the body is
 * parsed, before any operation is authenticated; the limit itself is not echoed.
 */
export function batchLimit(maxBatch: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > maxBatch)
            throw new GraphQLError("too many operations in one request", {
              extensions: { code: "BATCH_LIMIT", http: { status: 413 } },
            });
        },
      };
    },
  };
}

/**
 * The officials' document limits (`hardening/`) for operations that passed `authenticated`: bracket nesting
 * on the raw text before parsing, then tokens while parsing, then depth, aliases, directives and cost in
 * validation; all before a context is built or a resolver runs. An operation refused in authentication keeps
 * that refusal and nothing else: a caller who cannot sign learns no limit and nothing of the schema.
 */
export function peerDocumentLimits(
  limits: QueryLimits,
  authenticated: (params: GraphQLParams) => boolean,
): Plugin[] {
  const nesting = nestingLimit(limits.maxNesting);
  const nestingAfterAuthentication: Plugin = {
    onParams(payload) {
      if (authenticated(payload.params)) return nesting.onParams?.(payload);
    },
  };
  // Parsing and validation run only for operations without a result set in `onParams` (see authentication).
  return [nestingAfterAuthentication, queryLimitPlugin(limits)];
}
