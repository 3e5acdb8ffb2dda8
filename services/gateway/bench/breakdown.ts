import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createVerifier, utf8 } from "@coken/ledger";
import type { Store } from "@coken/store";
import type { ReceiptCommit } from "../src/receipts/issuer.js";
import { quantile } from "./load.js";
import { ASKER, DATASET, PROVIDER, signerOf } from "./world.js";

const N = 200;

async function timed(run: (i: number) => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await run(-1 - i);
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const started = performance.now();
    await run(i);
    ms.push(performance.now() - started);
  }
  return quantile(
    ms.sort((a, b) => a - b),
    0.5,
  );
}

/**
 * Median cost of the steps one Coken lookup adds to a bare one, each on its own, sequentially (c=1): the
 * signatures, and the store writes of a call (the provider's receipt with the request's nonce, which the answer
 * waits for; the asker's call log, written after the answer) next to the one read both paths make.
 */
export async function breakdown(
  provider: Store,
  asker: Store,
  receiptCommit: ReceiptCommit = "flush",
): Promise<[string, number][]> {
  const repo = provider.gateway;
  const askerRepo = asker.gateway;
  if (repo === undefined || askerRepo === undefined) throw new Error("store without gateway repository");
  const signer = signerOf(ASKER);
  const verifier = createVerifier();
  const message = utf8.encode("x".repeat(300));
  const signature = signer.sign(message);
  const far = Date.now() + 3_600_000;
  return [
    ["Ed25519 sign (×2 per HTTP request: per call at c=1)", await timed(() => signer.sign(message))],
    [
      "Ed25519 verify (×2 per HTTP request: per call at c=1)",
      await timed(() => verifier.verify("ed25519", signer.publicKey, message, signature)),
    ],
    [
      "row read (both paths)",
      await timed((i) => provider.localData.getRow(DATASET, `p-${Math.abs(i) % 1000}`)),
    ],
    [
      "provider: receipt and its nonce (one write)",
      await timed(() =>
        repo.addIssuedReceipts(
          [
            {
              receipt: {
                id: randomBytes(32),
                requester: ASKER,
                grantId: "0".repeat(32),
                timeMs: Date.now(),
                receipt: randomBytes(300),
              },
              nonce: { requester: ASKER, nonce: randomBytes(16), expiresMs: far },
            },
          ],
          // As the provider's issuer commits them in this backend (see ReceiptCommit).
          { flush: receiptCommit === "flush" },
        ),
      ),
    ],
    [
      "asker: log call (write after the answer, not waiting for the flush)",
      await timed(() =>
        // As the asker's call log writes them (CallLog).
        askerRepo.recordCalls(
          [{ receiptId: randomBytes(32), provider: PROVIDER, timeMs: Date.now(), receipt: randomBytes(300) }],
          { flush: false },
        ),
      ),
    ],
  ];
}
