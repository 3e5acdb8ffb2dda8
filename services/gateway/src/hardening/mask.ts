import { GraphQLError } from "graphql";
import { isGatewayError } from "../errors.js";

const INTERNAL_MESSAGE = "Unexpected error.";

/**
 * Yoga's `maskError`: a `GatewayError` keeps its message and stable code (its details stay on the server);
 * GraphQL's own errors (syntax, validation, limits, bad variables) pass; anything else becomes INTERNAL with no
 * detail, so no stack, SQL or row data ever reaches a caller.
 */
export function maskError(error: unknown): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? undefined) : error;
  const located = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
  if (isGatewayError(original)) {
    return new GraphQLError(original.message, { ...located, extensions: { code: original.code } });
  }
  if (error instanceof GraphQLError && (original === undefined || original instanceof GraphQLError)) {
    return original instanceof GraphQLError ? maskError(original) : error;
  }
  const http = error instanceof GraphQLError ? error.extensions.http : undefined;
  return new GraphQLError(INTERNAL_MESSAGE, {
    ...located,
    extensions: { code: "INTERNAL", ...(http === undefined ? {} : { http }) },
  });
}
