import { makeExecutableSchema } from "@graphql-tools/schema";
import { GraphQLScalarType, valueFromASTUntyped } from "graphql";

/**
 * The inter-agency schema served at `/peer/graphql`. Every request is signed by the calling agency (see
 * docs/spec/gateway.md); one request carries at most one dataset call, whose answer is signed back.
 */
export const peerQueryTypeDefs = /* GraphQL */ `
  "Any JSON value; queries, results and proofs are checked by the gateway, not by GraphQL."
  scalar JSON

  type Query {
    "One dataset call under a grant: the result, its proof (null for a lookup) and its access receipt id; minGroupSize is the asker's policy k, which counts and sums are proved with."
    answer(dataset: String!, grant: String!, query: JSON!, minGroupSize: Int): Answer!
    "Where one of the calling agency's receipts stands on its way to the ledger; null if unknown to it."
    receipt(id: String!): ReceiptState
    "The well-formedness evidence of this agency's commitment in force for a dataset (public: the index layout, chunk proofs and their public inputs); null until it exists."
    wellFormedEvidence(dataset: String!): JSON
  }

  type Answer {
    result: JSON!
    proof: JSON
    "Hex id of the access receipt, as the ledger will record it."
    receiptId: String!
    "When the provider answered, ms since the Unix epoch."
    providerTime: Float!
  }

  type ReceiptState {
    id: String!
    "pending, batched, committed or disputed"
    status: String!
    "Height of the block that recorded it, once committed."
    height: Float
  }
`;

const peerMutationTypeDefs = /* GraphQL */ `
  type Mutation {
    "Called by a data provider: co-sign a batch of receipts of calls this agency made (base64 CBOR array)."
    cosignReceipts(receipts: String!): CosignOutcome!
  }

  "Either the requester's signature over the batch hash, or the receipt ids it does not recognise."
  type CosignOutcome {
    signature: String
    rejected: [String!]!
  }
`;

export const peerTypeDefs = `${peerQueryTypeDefs}\n${peerMutationTypeDefs}`;

/** JSON values pass through as they are. */
export const JsonScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

/**
 * The read side of the peer schema, without resolvers: what officials may reach of another agency's
 * `/peer/graphql` through stitching (co-signing is between gateways only).
 */
export const peerSchema = makeExecutableSchema({
  typeDefs: peerQueryTypeDefs,
  resolvers: { JSON: JsonScalar },
});
