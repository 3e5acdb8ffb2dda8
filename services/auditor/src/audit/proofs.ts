import { type DatasetCommitment, fromHex, type Hasher, toHex, utf8 } from "@coken/ledger";
import {
  bytes32ToField,
  type ProofBundle,
  verificationKeyHash,
  verifyBundleWithKey,
  ZkError,
} from "@coken/zk";

type VerificationKeyJson = Parameters<typeof verificationKeyHash>[0];

/** The gateway's tag for a proof bundle's hash (docs/spec/gateway.md): a receipt's `proofHash`. */
const PROOF_TAG = "gateway.proof";

/** proofHash of a bundle kept as its canonical JSON text. */
export function proofTextHash(h: Hasher, text: string): Uint8Array {
  return h.hash(PROOF_TAG, utf8.encode(text));
}

/** A lookup carries no proof: its receipt's proofHash is the hash of `null`. */
export function noProofHash(h: Hasher): Uint8Array {
  return proofTextHash(h, "null");
}

/** A proved receipt waiting for its bundle: where it is, and the commitment in force when it was recorded. */
export interface PendingProof {
  height: number;
  tx: number;
  receipt: string;
  dataset: string;
  queryKind: string;
  proofHash: string;
  commitment: { root: string; verifyingKeys: { queryKind: string; hash: string }[] } | null;
}

export function pendingCommitment(c: DatasetCommitment | null | undefined): PendingProof["commitment"] {
  if (c === null || c === undefined) return null;
  return {
    root: toHex(c.root),
    verifyingKeys: c.verifyingKeys.map((k) => ({ queryKind: k.queryKind, hash: toHex(k.hash) })),
  };
}

/** Verification keys by hash (hex), each checked to hash to its name. */
export class KeyRing {
  private readonly keys = new Map<string, VerificationKeyJson>();

  /** Adds a key from its JSON text; returns its hash, or null when the text is not a key. */
  add(text: string): string | null {
    let vk: VerificationKeyJson;
    try {
      vk = JSON.parse(text) as VerificationKeyJson;
      if (typeof vk !== "object" || vk === null || typeof vk.nPublic !== "number") return null;
      const hash = toHex(verificationKeyHash(vk));
      this.keys.set(hash, vk);
      return hash;
    } catch {
      return null;
    }
  }

  get(hash: string): VerificationKeyJson | undefined {
    return this.keys.get(hash);
  }
}

function parseBundle(text: string): ProofBundle | null {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const vk = typeof o.verifyingKeyHash === "string" ? fromHex(o.verifyingKeyHash) : undefined;
    if (vk === undefined || typeof o.circuit !== "string") return null;
    return { ...(o as unknown as ProofBundle), verifyingKeyHash: vk };
  } catch {
    return null;
  }
}

/**
 * Checks one stored proof against its receipt: the text hashes to the receipt's proofHash; the bundle's key is
 * listed for the receipt's query kind in the commitment in force; the key is in the archive; the pairing check
 * passes; the proof's `root` signal is that commitment's root. Returns null, or why not.
 */
export async function checkProof(
  h: Hasher,
  ring: KeyRing,
  pending: PendingProof,
  text: string,
): Promise<string | null> {
  if (toHex(proofTextHash(h, text)) !== pending.proofHash)
    return "the stored proof does not hash to the receipt's proofHash";
  const bundle = parseBundle(text);
  if (bundle === null) return "the stored proof is not a proof bundle";
  const keyHash = toHex(bundle.verifyingKeyHash);
  const c = pending.commitment;
  if (c === null) return "the dataset had no commitment when the receipt was recorded";
  if (!c.verifyingKeys.some((k) => k.queryKind === pending.queryKind && k.hash === keyHash))
    return `key ${keyHash.slice(0, 16)}… is not in force for ${pending.queryKind} in the dataset's commitment`;
  const vk = ring.get(keyHash);
  if (vk === undefined) return `verification key ${keyHash.slice(0, 16)}… is not in the archive`;
  try {
    const { signals } = await verifyBundleWithKey(bundle, vk);
    const root = bytes32ToField(fromHex(c.root) as Uint8Array, "commitment root").toString();
    if (signals.root !== root) return "the proof is for another commitment root";
    return null;
  } catch (e) {
    if (e instanceof ZkError) return `${e.code}: ${e.message}`;
    throw e;
  }
}
