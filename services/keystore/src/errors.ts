/** Why a keystore was refused. Stable codes; branch on `code`, never on the message. */
export type KeystoreErrorCode =
  | "NOT_FOUND" // no file at the path
  | "EXISTS" // generateKeystore never replaces a file
  | "MALFORMED" // not the documented shape (or kdf parameters out of range)
  | "UNSUPPORTED_VERSION"
  | "WRONG_PASSPHRASE" // AES-GCM authentication failed: wrong passphrase OR a modified file, indistinguishable
  | "KEY_MISMATCH" // decrypted seed does not produce the file's public key
  | "WEAK_KDF" // scrypt N below MIN_SCRYPT_N
  | "IO";

/** Messages never contain the passphrase or key bytes. */
export class KeystoreError extends Error {
  override readonly name = "KeystoreError";
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
