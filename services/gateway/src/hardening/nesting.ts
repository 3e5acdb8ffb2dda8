import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * Deepest bracket nesting ({, [, ( outside strings and comments) in a document, scanned in one pass. GraphQL's
 * parser is recursive: a few thousand nested list literals overflow the stack before any token or depth limit
 * sees the document, so this runs first.
 */
export function maxNesting(document: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < document.length; i++) {
    const c = document.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < document.length && document.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x22 /* " */) {
      const block = document.startsWith('"""', i);
      i += block ? 3 : 1;
      while (i < document.length) {
        if (document.charCodeAt(i) === 0x5c /* \ */) i += 2;
        else if (block ? document.startsWith('"""', i) : document.charCodeAt(i) === 0x22) break;
        else i++;
      }
      if (block) i += 2;
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      // Clamped: stray closers must not hide the nesting that follows them.
      if (depth > 0) depth--;
    }
  }
  return max;
}

/** Refuses documents nested deeper than `limit` brackets with NESTING_LIMIT, before parsing. */
export function nestingLimit(limit: number): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === "string" && maxNesting(params.query) > limit) {
        throw new GraphQLError("document is nested too deeply", {
          extensions: { code: "NESTING_LIMIT", http: { status: 400 } },
        });
      }
    },
  };
}
