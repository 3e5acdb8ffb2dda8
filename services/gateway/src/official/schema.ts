import { makeExecutableSchema } from "@graphql-tools/schema";
import type { Resolvers } from "../generated/graphql.js";
import { typeDefs } from "../generated/type-defs.js";
import { accessResolvers } from "./resolvers/access.js";
import { actionResolvers } from "./resolvers/actions.js";
import { answerResolvers } from "./resolvers/answers.js";
import { auditResolvers } from "./resolvers/audit.js";
import { catalogResolvers } from "./resolvers/catalog.js";
import { chainResolvers } from "./resolvers/chain.js";
import { creditResolvers } from "./resolvers/credits.js";
import { nodeResolvers } from "./resolvers/node.js";
import { BigIntScalar, DateTimeScalar, HexScalar } from "./resolvers/scalars.js";

const lower = <T extends string>(names: T[]) => Object.fromEntries(names.map((n) => [n, n.toLowerCase()]));

// GraphQL enum names are upper case; inside, values are the ledger's lower-case names.
const enums: Resolvers = {
  QueryKind: lower(["LOOKUP", "THRESHOLD", "MEMBERSHIP", "COUNT", "SUM", "FILTER"]) as Resolvers["QueryKind"],
  Role: lower(["VALIDATOR", "MEMBER", "REGULATOR", "AUDITOR"]) as Resolvers["Role"],
  FieldType: lower(["STRING", "INT", "DECIMAL", "DATE", "BOOL", "BYTES"]) as Resolvers["FieldType"],
  Comparison: lower(["GTE", "LTE", "EQ", "RANGE"]) as Resolvers["Comparison"],
  Aggregate: lower(["COUNT", "SUM"]) as Resolvers["Aggregate"],
  FreezeKind: lower(["AGENCY", "DATASET", "GRANT", "ACCOUNT"]) as Resolvers["FreezeKind"],
  FreezeAction: lower(["FREEZE", "APPROVE", "UNFREEZE"]) as Resolvers["FreezeAction"],
};

/** The officials' schema: generated SDL plus the resolvers, each typed by the generated resolver types. */
export const officialSchema = makeExecutableSchema({
  typeDefs,
  resolvers: [
    enums,
    { DateTime: DateTimeScalar, BigInt: BigIntScalar, Hex: HexScalar },
    catalogResolvers,
    answerResolvers,
    accessResolvers,
    creditResolvers,
    chainResolvers,
    nodeResolvers,
    actionResolvers,
    auditResolvers,
  ] as Resolvers[],
});
