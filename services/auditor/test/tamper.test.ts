import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CborValue, encodeCbor, toHex } from "@coken/ledger";
import fc from "fast-check";
import {
  ARCHIVE_MAGIC,
  type Discrepancy,
  decodeBlockBody,
  decodeFrame,
  decodeProofBody,
  encodeBlockBody,
  encodeFrame,
  encodeProofBody,
  type Frame,
  frameLink,
  lengthPrefix,
  startLink,
} from "../src/index.js";
import { buildChain } from "./chain.js";
import { archiveOf, audit } from "./helpers.js";

/** The frames of an archive, split (no checks). */
function split(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let at = ARCHIVE_MAGIC.length;
  while (at < bytes.length) {
    const n = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    out.push(decodeFrame(bytes.subarray(at + 4, at + 4 + n), out.length));
    at += 4 + n;
  }
  return out;
}

/** Re-assembles frames with every number and link recomputed: a forger who rebuilds the archive's hash chain. */
function rechain(frames: Frame[], h: Parameters<typeof frameLink>[0]): Uint8Array {
  const parts: Uint8Array[] = [ARCHIVE_MAGIC];
  let prev = startLink(h);
  frames.forEach((f, seq) => {
    const encoded = encodeFrame({ ...f, seq, prev });
    parts.push(lengthPrefix(encoded.length), encoded);
    prev = frameLink(h, encoded);
  });
  return Buffer.concat(parts);
}

/** Problems other than the test proofs' own (they are not Groth16 proofs: each fails verification). */
const real = (ds: Discrepancy[]) => ds.filter((d) => d.code !== "PROOF_INVALID");

describe("tampered archives", async () => {
  const chain = buildChain(4, 4, 200);
  const honest = await archiveOf(chain);
  const h = (await import("@coken/ledger")).createHasher("sha256");
  const frames = split(honest);
  const blockFrames = frames.flatMap((f, i) => (f.kind === "block" ? [i] : []));
  const proofFrames = frames.flatMap((f, i) => (f.kind === "proof" ? [i] : []));

  it("the honest archive has no discrepancy but the test proofs'", async () => {
    assert.deepEqual(real((await audit(honest)).auditor.discrepancies), []);
  });

  it("detects any flipped byte (property, seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(honest.length - 1), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const bytes = new Uint8Array(honest);
        bytes[at] = (bytes[at] as number) ^ mask;
        const { auditor } = await audit(bytes, { genesis: chain.genesis });
        assert.notDeepEqual(real(auditor.discrepancies), [], `byte ${at} ^ ${mask} went unnoticed`);
      }),
      { seed: 20260101, numRuns: 40 },
    );
  });

  it("detects a dropped or reordered block, even with the hash chain rebuilt (property, seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...blockFrames),
        fc.constantFrom(...blockFrames),
        fc.boolean(),
        async (i, j, rebuild) => {
          const out = [...frames];
          if (i === j) out.splice(i, 1);
          else [out[i], out[j]] = [out[j] as Frame, out[i] as Frame];
          const bytes = rebuild
            ? rechain(out, h)
            : Buffer.concat([
                ARCHIVE_MAGIC,
                ...out.flatMap((f) => {
                  const e = encodeFrame(f);
                  return [lengthPrefix(e.length), e];
                }),
              ]);
          const { auditor } = await audit(bytes);
          const first = auditor.discrepancies[0];
          assert.ok(first !== undefined && first.code !== "PROOF_INVALID", `frames ${i}/${j} went unnoticed`);
          if (!rebuild) assert.equal(first.code, "ARCHIVE");
          else assert.ok(["BLOCK_REFUSED", "HEIGHT_GAP", "ARCHIVE"].includes(first.code), first.code);
        },
      ),
      { seed: 7, numRuns: 20 },
    );
  });

  it("detects an altered receipt in a rebuilt archive, at its height", async () => {
    const at = blockFrames[2] as number;
    const frame = frames[at] as Frame;
    const b = decodeBlockBody(frame.body, at);
    const raw = b.block.txs[0] as Uint8Array;
    // Change one byte inside the tx (a receipt field), keep everything else, rebuild the archive's links.
    const altered = Uint8Array.from(raw);
    altered[raw.length - 40] = (altered[raw.length - 40] as number) ^ 1;
    const txs = [altered];
    const body = encodeBlockBody({
      raw: encodeCbor({ ...b.block, txs } as unknown as CborValue),
      appHash: b.appHash,
      results: b.results,
    });
    const out = [...frames];
    out[at] = { ...frame, body };
    const { auditor } = await audit(rechain(out, h));
    const first = auditor.discrepancies[0];
    assert.equal(first?.code, "BLOCK_REFUSED");
    assert.equal(first?.height, b.block.header.height);
    assert.match(first?.reason ?? "", /WRONG_TX_ROOT/);
  });

  it("detects swapped proofs and names both receipts", async () => {
    const [i, j] = proofFrames as [number, number];
    const a = decodeProofBody((frames[i] as Frame).body, i);
    const b = decodeProofBody((frames[j] as Frame).body, j);
    const out = [...frames];
    out[i] = { ...(frames[i] as Frame), body: encodeProofBody({ receipt: a.receipt, bundle: b.bundle }) };
    out[j] = { ...(frames[j] as Frame), body: encodeProofBody({ receipt: b.receipt, bundle: a.bundle }) };
    const { auditor } = await audit(rechain(out, h));
    const swapped = auditor.discrepancies.filter((d) => d.code === "PROOF_HASH").map((d) => d.receipt);
    assert.deepEqual(swapped.sort(), [toHex(a.receipt), toHex(b.receipt)].sort());
  });
});
