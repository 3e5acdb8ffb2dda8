import {
  type AccessReceipt,
  type AgencyId,
  bytesEqual,
  type DatasetCommitment,
  type DatasetId,
  type FieldSpec,
  type GrantId,
  keys,
  receiptId,
  toHex,
} from "@coken/ledger";
import {
  type AnswerVerifier,
  isZkError,
  type WellFormedCommitment,
  type ZkQuery,
  type ZkResult,
} from "@coken/zk";
import { GatewayError } from "../errors.js";
import { proofFromJson } from "../provider/proof-json.js";
import { encodeReceipt } from "../receipts/codec.js";
import { canonicalJson } from "../signing/canonical-json.js";
import { proofHash, resultHash } from "../signing/hashes.js";
import { CallLog, type CallLogRepository } from "./call-log.js";
import {
  SignedTransport,
  type SignedTransportComponents,
  type TransportOptions,
  upstreamError,
} from "./transport.js";
import type { AnswerResult, CallContext, DatasetCall, FederationClient, VerifiedAnswer } from "./types.js";

export interface FederationClientComponents extends SignedTransportComponents {
  /** Where verified calls are kept so the receipts of exactly those calls get co-signed (see `CallLog`). */
  calls: CallLogRepository;
  /** Absent: this agency asks lookups only; proved kinds are refused with UNSUPPORTED_QUERY before any call. */
  answerVerifier?: AnswerVerifier | undefined;
  /** This agency's policy per grant it holds (minimum group size); absent: none. */
  grantPolicy?: (grant: GrantId) => AskerGrantPolicy | undefined;
  /** The verified well-formedness record of a dataset's commitment in force (see `WellFormedRecords`), if any. */
  wellFormed?: (
    call: { provider: AgencyId; dataset: DatasetId },
    commitment: DatasetCommitment,
    fields: readonly FieldSpec[],
  ) => Promise<WellFormedCommitment | undefined> | WellFormedCommitment | undefined;
  /**
   * Refuse proved calls over a commitment without a verified record (NOT_WELL_FORMED) before asking; false only
   * with development keys, whose answers are accepted unbound (docs/spec/zk.md §9).
   */
  requireWellFormed?: boolean;
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export const ANSWER_DOCUMENT =
  "query CokenAnswer($dataset: String!, $grant: String!, $query: JSON!, $minGroupSize: Int) " +
  "{ answer(dataset: $dataset, grant: $grant, query: $query, minGroupSize: $minGroupSize) " +
  "{ result proof receiptId providerTime } }";

/**
 * Bounds of an evidence fetch: about 1.7 KiB of JSON per chunk proof, so 64 MiB holds 2^19 rows in chunks of 16 and
 * 2^21 in chunks of 64 (docs/BENCHMARKS.md); serving and sending it may take longer than an answer.
 */
export const EVIDENCE_LIMITS = { timeoutMs: 120_000, maxResponseBytes: 64 * 1024 * 1024 } as const;

export const EVIDENCE_DOCUMENT =
  "query CokenEvidence($dataset: String!) { wellFormedEvidence(dataset: $dataset) }";

/** What this agency asks of answers under one of its grants. */
export interface AskerGrantPolicy {
  /** Minimum group size k sent with every call and required of the proof (0 or absent: none). */
  minGroupSize?: number;
}

interface AnswerData {
  answer?: { result?: unknown; proof?: unknown; receiptId?: unknown } | null;
}

const unauthenticated = (message: string) => new GatewayError("UNAUTHENTICATED", message);

/**
 * The asker's side of a dataset call: checks the grant on the ledger, sends the signed call through the
 * transport, and accepts the answer only if the provider signed it for this request, its hashes match what came
 * back, the receipt id is the one this agency can recompute, and (for proved kinds) the proof verifies against
 * the dataset commitment in force. Identical concurrent calls share one upstream call. The verified call goes to
 * the call log after the answer is handed over (see `CallLog`).
 */
export class SignedFederationClient implements FederationClient {
  readonly transport: SignedTransport;
  private readonly inflight = new Map<string, Promise<VerifiedAnswer>>();
  readonly callLog: CallLog;

  constructor(
    private readonly c: FederationClientComponents,
    options?: TransportOptions,
  ) {
    this.transport = new SignedTransport(c, options);
    this.callLog = CallLog.of(c.calls, c.log);
  }

  call(call: DatasetCall, context: CallContext = {}): Promise<VerifiedAnswer> {
    const key = canonicalJson([call.provider, call.dataset, call.grant, call.query]);
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const promise = this.run(call, context).finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  /**
   * The provider's well-formedness evidence for its commitment in force (public JSON; null when it has none),
   * asked over the signed transport; the caller verifies it against the ledger (see `WellFormedRecords`).
   */
  async fetchEvidence(provider: AgencyId, dataset: DatasetId): Promise<unknown> {
    const upstream = await this.transport.send(provider, {
      document: EVIDENCE_DOCUMENT,
      variables: { dataset },
      grant: null,
      dataset,
      limits: EVIDENCE_LIMITS,
    });
    const refused = upstreamError(upstream.result);
    if (refused !== null) throw refused;
    if (upstream.providerSignature === null) throw unauthenticated("unsigned evidence");
    const data = upstream.result.data as { wellFormedEvidence?: unknown } | null | undefined;
    return data?.wellFormedEvidence ?? null;
  }

  private async run(call: DatasetCall, context: CallContext): Promise<VerifiedAnswer> {
    const grant = this.c.ledger.get(keys.grant(call.grant));
    if (
      grant === undefined ||
      grant.grantee !== this.c.self ||
      grant.dataset !== call.dataset ||
      grant.grantor !== call.provider
    )
      throw new GatewayError("GRANT_REQUIRED", "no grant of this agency for this dataset");
    const dataset = this.c.ledger.get(keys.dataset(call.dataset));
    if (dataset === undefined) throw new GatewayError("GRANT_REQUIRED", "unknown dataset");
    if (call.query.kind !== "lookup" && this.c.answerVerifier === undefined)
      throw new GatewayError("UNSUPPORTED_QUERY", "no proof verifier is configured for proved query kinds");

    // Proved answers bind meta (rowCount, schema) only through a verified record: fetched and verified once per
    // commitment, before anything is asked (no receipt for an answer that could not be accepted).
    let wellFormed: WellFormedCommitment | undefined;
    if (call.query.kind !== "lookup" && dataset.commitment !== null) {
      wellFormed = await this.c.wellFormed?.(call, dataset.commitment, dataset.fields);
      if (wellFormed === undefined && this.c.requireWellFormed === true)
        throw new GatewayError(
          "NOT_WELL_FORMED",
          "the dataset's commitment has no verified well-formedness evidence yet (missing, refused or still being verified)",
        );
    }
    const minGroupSize = this.c.grantPolicy?.(call.grant)?.minGroupSize;
    const upstream = await this.transport.send(
      call.provider,
      {
        document: ANSWER_DOCUMENT,
        variables: {
          dataset: call.dataset,
          grant: call.grant,
          query: call.query,
          ...(minGroupSize === undefined ? {} : { minGroupSize }),
        },
        grant: call.grant,
        dataset: call.dataset,
      },
      context,
    );
    const refused = upstreamError(upstream.result);
    if (refused !== null) throw refused;
    const { response, request } = upstream;
    const answer = (upstream.result.data as AnswerData | null | undefined)?.answer;
    if (response === null || upstream.providerSignature === null || answer === undefined || answer === null)
      throw unauthenticated("unsigned or empty answer");

    const result = answer.result as AnswerResult;
    const rHash = resultHash(this.c.hasher, result);
    const pHash = proofHash(this.c.hasher, answer.proof ?? null);
    if (!bytesEqual(rHash, response.resultHash) || !bytesEqual(pHash, response.proofHash))
      throw unauthenticated("the answer does not match the provider's signed hashes");
    const receipt: AccessReceipt = {
      grant: call.grant,
      dataset: call.dataset,
      provider: call.provider,
      requester: this.c.self,
      queryKind: call.query.kind,
      requestHash: upstream.requestHash,
      resultHash: rHash,
      proofHash: pHash,
      nonce: request.nonce,
      time: request.time,
    };
    const id = receiptId(this.c.hasher, receipt);
    if (response.receiptId === null || !bytesEqual(id, response.receiptId) || answer.receiptId !== toHex(id))
      throw unauthenticated("the receipt id does not match this call");
    if (typeof result !== "object" || result === null || result.kind !== call.query.kind)
      throw unauthenticated("the answer is of another query kind");

    let proof: VerifiedAnswer["verification"]["proof"] = null;
    if (call.query.kind === "lookup") {
      const fields = (result as { fields?: unknown }).fields;
      const asked = new Set(call.query.fields);
      if (typeof fields !== "object" || fields === null || Object.keys(fields).some((f) => !asked.has(f)))
        throw unauthenticated("the lookup answer holds fields that were not asked");
    } else {
      const commitment = dataset.commitment;
      if (commitment === null)
        throw new GatewayError("PROOF_INVALID", "the dataset has no commitment on the ledger");
      const bundle = proofFromJson(answer.proof);
      try {
        await this.c.answerVerifier?.verify(
          { result: result as ZkResult, proof: bundle },
          {
            commitment,
            fields: dataset.fields,
            query: call.query as ZkQuery,
            binding: { requester: this.c.self, nonce: request.nonce, expiresAt: request.expiresAt },
            ...(minGroupSize === undefined ? {} : { minGroupSize }),
            wellFormed,
          },
        );
      } catch (e) {
        if (isZkError(e, "NOT_WELL_FORMED"))
          throw new GatewayError(
            "NOT_WELL_FORMED",
            "the commitment has no verified well-formedness evidence",
          );
        throw new GatewayError("PROOF_INVALID", "the proof does not verify for this request");
      }
      proof = {
        system: "groth16",
        verified: true,
        commitment: toHex(commitment.root),
        circuit: bundle.circuit,
      };
    }

    // Logged in the background: the log is read only when co-signing, and waits for this write then.
    this.callLog.record({
      receiptId: id,
      provider: call.provider,
      timeMs: request.time,
      receipt: encodeReceipt(receipt),
    });
    return {
      provider: call.provider,
      dataset: call.dataset,
      result,
      verification: {
        proof,
        receipt: { id: toHex(id) },
        providerSignature: toHex(upstream.providerSignature),
        providerBatch: upstream.providerBatch === null ? null : toHex(upstream.providerBatch),
      },
    };
  }
}

/** Builds the asker's federation client (see `SignedFederationClient`). */
export function createFederationClient(
  components: FederationClientComponents,
  options?: TransportOptions,
): SignedFederationClient {
  return new SignedFederationClient(components, options);
}
