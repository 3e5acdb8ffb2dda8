import { createVerifier, toHex, type Verifier } from "@coken/ledger";

/**
 * The simulation's verifier: real Ed25519, with results remembered by (key, message, signature), because every
 * simulated node checks the same few signatures again and Ed25519 verification dominates the run time. A forged
 * signature has another key in the memo, so nothing is accepted that would fail.
 */
export function memoVerifier(inner: Verifier = createVerifier(), max = 1 << 16): Verifier {
  const memo = new Map<string, boolean>();
  return {
    verify(scheme, publicKey, message, signature) {
      const key = `${scheme}/${toHex(publicKey)}/${toHex(message)}/${toHex(signature)}`;
      let ok = memo.get(key);
      if (ok === undefined) {
        ok = inner.verify(scheme, publicKey, message, signature);
        if (memo.size >= max) memo.clear();
        memo.set(key, ok);
      }
      return ok;
    },
  };
}

export const simVerifier = memoVerifier();
