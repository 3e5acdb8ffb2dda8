import type { IncomingMessage, ServerResponse } from "node:http";
import { fromHex } from "@coken/ledger";
import type { GatewayRepository } from "@coken/store";
import type { ArtifactRegistry } from "@coken/zk";
import { notFound, send } from "./api-http.js";

/**
 * What an auditor fetches from a peer besides its blocks (docs/spec/archive.md §4): the proof bundles this
 * agency's gateway kept for the proved answers it gave, and the verification keys its ZK registry holds. Both are
 * public: a bundle holds the proof and its public signals, never row values.
 */
export interface AuditReads {
  /** The bundle text kept with issued receipt `id` (what its proofHash covers); null when not kept here. */
  proof(id: Uint8Array): Promise<string | null>;
  /** The verification key with this hash (lower-case hex) as JSON text; null when the registry lacks it. */
  key(hashHex: string): Promise<string | null>;
}

export interface AuditReadsComponents {
  gateway?: Pick<GatewayRepository, "issuedProof">;
  registry?: Pick<ArtifactRegistry, "verificationKey">;
}

/** Audit reads over the store's gateway tables and the ZK registry; a peer without either serves nothing. */
export function createAuditReads(c: AuditReadsComponents): AuditReads {
  return {
    proof: async (id) => (c.gateway === undefined ? null : c.gateway.issuedProof(id)),
    async key(hashHex) {
      const vk = await c.registry?.verificationKey(hashHex);
      return vk === undefined ? null : JSON.stringify(vk);
    },
  };
}

const ROUTE = /^\/v1\/(proofs|zk\/keys)\/([^/]*)$/;

/**
 * `GET /v1/proofs/{receipt id}` → `{receipt, bundle}` and `GET /v1/zk/keys/{hash}` → `{hash, key}` (ids and
 * hashes as 64 lower-case hex digits; 400 BAD_REQUEST otherwise, 404 NOT_FOUND when not kept here). Returns
 * false for any other request.
 */
export function serveAuditReads(
  reads: AuditReads,
  req: IncomingMessage,
  res: ServerResponse,
  onError: (e: unknown) => void,
): boolean {
  if (req.method !== "GET") return false;
  const match = ROUTE.exec(new URL(req.url ?? "/", "http://api").pathname);
  if (match === null) return false;
  const [, what, hex = ""] = match;
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    send(res, 400, { error: { code: "BAD_REQUEST", message: "expected 64 lower-case hex digits" } });
    return true;
  }
  const answer =
    what === "proofs"
      ? reads.proof(fromHex(hex) as Uint8Array).then((bundle) => bundle && { receipt: hex, bundle })
      : reads.key(hex).then((key) => key && { hash: hex, key });
  answer.then(
    (body) => (body === null ? notFound(res) : send(res, 200, body)),
    (e: unknown) => {
      onError(e);
      send(res, 500, { error: { code: "INTERNAL" } });
    },
  );
  return true;
}
