import { bytesEqual, toHex } from "@coken/ledger";

export type PeerIdentityErrorCode = "UNKNOWN_AGENCY" | "KEY_MISMATCH";

/** Why a peer refuses to start with its keystore. */
export class PeerIdentityError extends Error {
  override readonly name = "PeerIdentityError";
  constructor(
    readonly code: PeerIdentityErrorCode,
    readonly agency: string,
    message: string,
  ) {
    super(message);
  }
}

export interface IdentityCheck {
  /** The keystore's agency and public key. */
  agency: string;
  publicKey: Uint8Array;
  /** The agency's record on the chain (genesis or admitted since), if it has one. */
  onChain: { publicKey: Uint8Array } | undefined;
  /** The config's `observer`: follow the chain without voting. */
  observer: boolean;
  /** Named in the message, since that is where the operator adds an agency. */
  genesisFile: string;
}

/**
 * Whether a peer may start with its key. An agency the chain does not know may only observe: as a validator or
 * member it could sign nothing the others accept. A key other than the one the chain holds for the agency is a
 * wrong keystore, refused even for an observer. Pure; null means the peer may start.
 */
export function identityRefusal(c: IdentityCheck): PeerIdentityError | null {
  if (c.onChain === undefined) {
    if (c.observer) return null;
    return new PeerIdentityError(
      "UNKNOWN_AGENCY",
      c.agency,
      `the keystore's agency ${c.agency} is not an agency of this chain (not in the genesis ${c.genesisFile}, ` +
        `nor admitted since): add it to the genesis (coken genesis add-agency), or set "observer": true in ` +
        "the config to follow the chain without voting",
    );
  }
  if (!bytesEqual(c.onChain.publicKey, c.publicKey)) {
    return new PeerIdentityError(
      "KEY_MISMATCH",
      c.agency,
      `the keystore holds another key than the chain has for agency ${c.agency} (genesis ${c.genesisFile}): ` +
        `the chain has ${toHex(c.onChain.publicKey)}, the keystore ${toHex(c.publicKey)}`,
    );
  }
  return null;
}
