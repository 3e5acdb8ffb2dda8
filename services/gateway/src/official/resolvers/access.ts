import { bytesEqual, type Hasher, keys, toHex } from "@coken/ledger";
import type { ReceiptQuery } from "@coken/store";
import { GatewayError } from "../../errors.js";
import type { Resolvers } from "../../generated/graphql.js";
import type { LedgerReader } from "../../provider/ledger-reader.js";
import { proofHash } from "../../signing/hashes.js";
import { keyedPage } from "../connection.js";
import { toGlobalId } from "../ids.js";
import { receiptPage } from "../receipt-page.js";
import { grantActive, grants } from "../state.js";

function instant(iso: string | null | undefined, name: string): number | undefined {
  if (iso == null) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || ms < 0) throw new GatewayError("BAD_USER_INPUT", `${name} is not a valid instant`);
  return ms;
}

/** Grants this agency issued or received, and the receipts recorded on the ledger that involve it. */
export const accessResolvers: Resolvers = {
  Query: {
    grants: (_, { role, activeOnly, first, after }, ctx) => {
      const { self, ledger } = ctx.official;
      const now = ctx.now();
      const mine = grants(ledger).filter(
        (g) => (role !== "RECEIVED" && g.grantor === self) || (role !== "ISSUED" && g.grantee === self),
      );
      return keyedPage(
        activeOnly ? mine.filter((g) => grantActive(ledger, g, now)) : mine,
        (g) => g.id,
        first,
        after,
      );
    },
    accessLog: (_, { filter, first, after }, { official }) => {
      const role = filter?.role ?? "ALL";
      const from = instant(filter?.from, "from");
      const to = instant(filter?.to, "to");
      const query: Omit<ReceiptQuery, "limit" | "after"> = {
        ...(role === "ISSUED"
          ? { provider: official.self }
          : role === "RECEIVED"
            ? { requester: official.self }
            : { agency: official.self }),
        ...(filter?.dataset == null ? {} : { dataset: filter.dataset }),
        ...(filter?.grantId == null ? {} : { grantId: filter.grantId }),
        ...(from === undefined ? {} : { fromMs: from }),
        ...(to === undefined ? {} : { toMs: to }),
      };
      if (from !== undefined && to !== undefined && from > to) {
        throw new GatewayError("BAD_USER_INPUT", "from must not be after to");
      }
      return receiptPage(official.chain, query, first, after);
    },
  },
  Grant: {
    id: (g) => toGlobalId("Grant", g.id),
    grantId: (g) => g.id,
    datasetId: (g) => g.dataset,
    dataset: (g, _, { official }) => official.ledger.get(keys.dataset(g.dataset)) ?? null,
    revoked: (g) => g.revoked !== null,
    revokedReason: (g) => g.revoked?.reason ?? null,
    active: (g, _, ctx) => grantActive(ctx.official.ledger, g, ctx.now()),
  },
  AccessReceipt: {
    id: (r) => toGlobalId("AccessReceipt", `${r.timeMs}:${toHex(r.id)}`),
    receiptId: (r) => r.id,
    datasetId: (r) => r.dataset,
    time: (r) => r.timeMs,
    recording: (r, _, { official }) => {
      const attested = attestedRecord(official.ledger, r.id);
      if (attested === undefined) return "ACKNOWLEDGED";
      return attested.dispute === null ? "ATTESTED" : "DISPUTED";
    },
    disputeReason: (r, _, { official }) => attestedRecord(official.ledger, r.id)?.dispute?.reason ?? null,
    // The requester co-signs only receipts of answers it verified, the proof included (see CallLog).
    proof: (r, _, { official }) => {
      if (bytesEqual(r.proofHash, noProofHash(official.ledger.hasher))) return "NOT_PROVED";
      return attestedRecord(official.ledger, r.id) === undefined ? "VERIFIED" : "UNCONFIRMED";
    },
  },
};

const noProofHashes = new WeakMap<Hasher, Uint8Array>();

/** The proofHash of an answer without a proof (a lookup's): the hash of `null`. */
function noProofHash(h: Hasher): Uint8Array {
  let hash = noProofHashes.get(h);
  if (hash === undefined) {
    hash = proofHash(h, null);
    noProofHashes.set(h, hash);
  }
  return hash;
}

/** The `attested/<id>` record of a receipt recorded without its requester's co-signature (ledger §8.8). */
function attestedRecord(ledger: LedgerReader, id: Uint8Array) {
  return ledger.get(keys.attested(toHex(id)));
}
