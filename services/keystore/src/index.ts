export { decryptKey, type EncryptOptions, encryptKey, type UnlockedKey } from "./crypto.js";
export { KeystoreError, type KeystoreErrorCode } from "./errors.js";
export { generateKeystore, loadKeystore, readKeystoreFile } from "./file.js";
export {
  DEFAULT_KDF,
  type KdfParams,
  KEYSTORE_VERSION,
  type KeystoreFile,
  MAX_SCRYPT_N,
  MIN_SCRYPT_N,
  parseKeystoreFile,
} from "./format.js";
