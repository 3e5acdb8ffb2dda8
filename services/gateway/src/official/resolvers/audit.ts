import { GatewayError } from "../../errors.js";
import type { Resolvers } from "../../generated/graphql.js";

/** An audit of the peer's own chain, run for its officials (in production, an authenticated one). */
export const auditResolvers: Resolvers = {
  Mutation: {
    auditChain: (_, __, ctx) => {
      if (ctx.actionsNeedOfficial && ctx.officialId === null)
        throw new GatewayError("UNAUTHENTICATED", "an audit needs an authenticated official");
      const audit = ctx.official.audit;
      if (audit === undefined) throw new GatewayError("FORBIDDEN", "this gateway does not audit its chain");
      return audit();
    },
  },
};
