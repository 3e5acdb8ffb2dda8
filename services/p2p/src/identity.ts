import { isWeakEd25519Key } from "@coken/ledger";
import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { Ed25519PrivateKey, PeerId } from "@libp2p/interface";
import {
  peerIdFromPublicKey as libp2pPeerIdFromPublicKey,
  peerIdFromPrivateKey,
  peerIdFromString,
} from "@libp2p/peer-id";
import { NetworkError } from "./errors.js";

const SEED_LENGTH = 32;

/**
 * The libp2p Ed25519 private key for a 32-byte seed (the RFC 8032 private key, as the agency keystore holds
 * it). The same seed always gives the same key, so the peer's id is stable across restarts.
 */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<Ed25519PrivateKey> {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new NetworkError("INVALID_CONFIG", "an Ed25519 seed is 32 bytes");
  }
  const key = await generateKeyPairFromSeed("Ed25519", seed);
  if (isWeakEd25519Key(key.publicKey.raw)) throw new NetworkError("INVALID_CONFIG", "weak Ed25519 key");
  return key;
}

/** The PeerId of the peer whose libp2p key comes from `seed` (see privateKeyFromSeed). */
export async function peerIdFromSeed(seed: Uint8Array): Promise<PeerId> {
  return peerIdFromPrivateKey(await privateKeyFromSeed(seed));
}

/**
 * The PeerId of an agency from its raw 32-byte Ed25519 public key, as genesis lists it; lets every peer build
 * the allow-list from the validator set. Small-order keys are refused, as the ledger refuses them.
 */
export function peerIdFromPublicKey(publicKey: Uint8Array): PeerId {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== SEED_LENGTH || isWeakEd25519Key(publicKey)) {
    throw new NetworkError("INVALID_CONFIG", "not a usable 32-byte Ed25519 public key");
  }
  return libp2pPeerIdFromPublicKey(publicKeyFromRaw(publicKey));
}

/** Parses a PeerId string (base58btc or CID form); refuses anything that is not an Ed25519 peer id. */
export function parsePeerId(text: string): PeerId {
  let id: PeerId;
  try {
    id = peerIdFromString(text);
  } catch (err) {
    throw new NetworkError("INVALID_CONFIG", "malformed peer id", { cause: err });
  }
  if (id.type !== "Ed25519") throw new NetworkError("INVALID_CONFIG", "only Ed25519 peer ids are allowed");
  return id;
}
