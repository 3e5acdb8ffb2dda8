import type { AnswerVerifier, ExpectedAnswer, ZkAnswer } from "../api.js";
import { parseCircuitId } from "../circuits.js";
import { parseFieldElement } from "../commitment/field.js";
import { ZkError } from "../errors.js";
import { loadPairingCurve, type PairingCurve, type VerificationKeyJson } from "../setup/snark.js";
import { publicSignalsFor } from "../statements/index.js";
import { checkBundle } from "./bundle.js";
import { type PreparedKey, prepareKey, verifyGroth16 } from "./groth16.js";

export interface AnswerVerifierInit {
  /** The clock expiry is checked against, ms since the Unix epoch (injected for tests). */
  now?: () => number;
  /**
   * DEVELOPMENT ONLY (a peer sets it only with development keys, which are forgeable anyway): accept answers over
   * a commitment with no verified well-formedness record, taking meta from the proof. Such answers are not bound
   * to rowCount or the schema and may contradict each other (docs/spec/zk.md §9). Default: refused.
   */
  acceptWithoutEvidence?: boolean;
}

export interface AnswerVerifierComponents {
  /** Verification keys by hash (hex), e.g. an `ArtifactRegistry`; undefined when the hash is unknown. */
  keys: {
    verificationKey(hashHex: string): Promise<VerificationKeyJson | undefined>;
    /** The circuit id the key with this hash was built for: a proof names its circuit, the key must agree. */
    circuitOf(hashHex: string): string | undefined;
  };
}

/** The asker's verifier, holding a curve and its prepared keys: `close()` drops them. */
export interface LocalAnswerVerifier extends AnswerVerifier {
  close(): Promise<void>;
}

/**
 * Verifies answers against the commitment in force: bundle shape, expiry, key listed in the commitment for the
 * query kind, public signals exactly those of this request and result, then the Groth16 pairing check.
 * Rejects with a ZkError; never remembers proof bytes (Groth16 proofs are malleable: replay is stopped by the
 * nonce inside requestHash, which the caller issues once).
 */
export function createAnswerVerifier(init: AnswerVerifierInit = {}) {
  return (components: AnswerVerifierComponents): LocalAnswerVerifier => {
    const now = init.now ?? Date.now;
    let warm: Promise<PairingCurve> | undefined;
    // Keyed by the key object the registry hands out (it keeps one per hash), so a prepared key is never stale.
    let prepared = new WeakMap<VerificationKeyJson, PreparedKey>();
    const preparedKey = (curve: PairingCurve, vk: VerificationKeyJson): PreparedKey => {
      let key = prepared.get(vk);
      if (key === undefined) {
        try {
          key = prepareKey(curve, vk);
        } catch (err) {
          throw new ZkError("KEY_UNKNOWN", `unusable verification key: ${(err as Error).message}`);
        }
        prepared.set(vk, key);
      }
      return key;
    };

    const verify = async (answer: ZkAnswer, expected: ExpectedAnswer): Promise<void> => {
      const bundle = answer.proof;
      checkBundle(bundle);
      if (now() > expected.binding.expiresAt) {
        throw new ZkError("EXPIRED", "the request has expired", { expiresAt: expected.binding.expiresAt });
      }
      const hashHex = Buffer.from(bundle.verifyingKeyHash).toString("hex");
      const listed = expected.commitment.verifyingKeys.some(
        (k) => k.queryKind === expected.query.kind && Buffer.from(k.hash).toString("hex") === hashHex,
      );
      if (!listed)
        throw new ZkError("KEY_UNKNOWN", "the proof's key is not in force for this query kind", {
          circuit: bundle.circuit,
        });
      if (components.keys.circuitOf(hashHex) !== bundle.circuit)
        throw new ZkError("KEY_UNKNOWN", "the proof's key is not a key of the circuit it names", {
          circuit: bundle.circuit,
        });
      if (answer.result.kind !== expected.query.kind)
        throw new ZkError("PROOF_INVALID", "the result is of another kind");
      const unproven = expected.wellFormed === undefined && init.acceptWithoutEvidence === true;
      const want = publicSignalsFor(
        expected,
        answer.result,
        bundle.circuit,
        unproven ? claimedMeta(bundle.publicSignals) : undefined,
      );
      mismatch(bundle.circuit, want, bundle.publicSignals);
      const vk = await components.keys.verificationKey(hashHex);
      if (vk === undefined)
        throw new ZkError("KEY_UNKNOWN", "verification key not available", { hash: hashHex });
      if (vk.nPublic !== want.length) throw new ZkError("PROOF_INVALID", "the key is for another circuit");
      warm ??= loadPairingCurve();
      const curve = await warm;
      if (!verifyGroth16(curve, preparedKey(curve, vk), bundle.publicSignals, bundle.proof))
        throw new ZkError("PROOF_INVALID", "the proof does not verify");
    };

    return {
      verify,
      async close() {
        warm = undefined;
        prepared = new WeakMap();
      },
    };
  };
}

/** The meta signal a proof carries (the last public signal of every answer circuit). */
function claimedMeta(signals: readonly string[]): bigint {
  return parseFieldElement(signals[signals.length - 1] ?? "", "meta");
}

/** Names which part differs, so the caller sees a stale commitment or a replay for what it is. */
function mismatch(circuit: string, want: readonly string[], got: readonly string[]): void {
  if (want.length === got.length && want.every((s, i) => s === got[i])) return;
  const names = parseCircuitId(circuit).def.publicSignals(parseCircuitId(circuit).params);
  const differs = (name: string): boolean => {
    const i = names.indexOf(name);
    return i >= 0 && want[i] !== got[i];
  };
  if (want.length !== got.length) throw new ZkError("PROOF_INVALID", "wrong number of public signals");
  if (differs("root")) throw new ZkError("COMMITMENT_MISMATCH", "the proof is for another commitment");
  if (differs("requestHash")) throw new ZkError("BINDING_MISMATCH", "the proof is for another request");
  throw new ZkError("PROOF_INVALID", "the public signals do not match the request and result");
}
