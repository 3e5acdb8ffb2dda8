import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CommitCertificate,
  createHasher,
  createVerifier,
  derivedId,
  Ledger,
  lastCommitHash,
  parseGenesis,
  signCommit,
  type TxBody,
} from "@coken/ledger";
import type { ExportBlock } from "../src/index.js";
import { genesisText, HOUSING, LAND, signer, T0, type TestChain } from "./chain.js";
import { archiveOf, audit } from "./helpers.js";

/*
 * An archive across a validator-set change (ledger §13.5). Block 1 sets the powers to LAND 3, HOUSING 1, so from
 * height 3 on LAND alone holds a quorum; until then (1 and 1) it needs HOUSING too.
 */

/** `signers(height)` sign the certificate of each block; block 1 carries the change. */
function chainWith(signers: (height: number) => string[], heights = 5): TestChain {
  const text = genesisText();
  const genesis = parseGenesis(JSON.parse(text));
  const ledger = Ledger.fromGenesis(genesis, createVerifier());
  const h = ledger.hasher;
  const tx = (sender: string, kind: TxBody["kind"], payload: unknown) =>
    ledger.signTx(signer(sender), { chain: genesis.chainId, kind, sender, seq: 0, payload } as TxBody);
  const proposal = derivedId(h, "proposal", LAND, 0);
  const validators = [
    { agency: HOUSING, power: 1 },
    { agency: LAND, power: 3 },
  ];
  const blocks: ExportBlock[] = [];
  let last: CommitCertificate | null = null;
  for (let height = 1; height <= heights; height++) {
    const time = T0 + 1000 * height;
    const txs =
      height === 1
        ? [
            tx(LAND, "governance.propose", { action: { type: "validators.set", validators } }),
            tx(HOUSING, "governance.vote", { proposal, approve: true }),
          ]
        : [];
    const block = ledger.buildBlock({ txs, time, proposer: LAND, lastCommit: last });
    const { outcome, appHash } = ledger.apply(block);
    blocks.push({ block, appHash, results: outcome.txs.map((t) => t.code) });
    last = signCommit(
      h,
      block,
      signers(height).map((v) => ({ validator: v, signer: signer(v) })),
      time + 500,
    );
  }
  return {
    genesis,
    genesisText: text,
    blocks,
    seen: last as unknown as CommitCertificate,
    proofs: new Map(),
    receipts: 0,
  };
}

describe("archive audit across a validator-set change", () => {
  it("verifies every certificate against the set of its own height", async () => {
    const chain = chainWith((height) => (height <= 2 ? [HOUSING, LAND] : [LAND]));
    assert.deepEqual(chain.blocks[0]?.results, [null, null]);
    const { auditor } = await audit(await archiveOf(chain), { genesis: chain.genesis });
    assert.deepEqual(auditor.discrepancies, []);
    assert.equal(auditor.verifiedHeight, 5);
  });

  it("refuses block 2 certified as if the new set were already in force", async () => {
    const chain = chainWith((height) => (height <= 2 ? [HOUSING, LAND] : [LAND]));
    // Block 3 carries block 2's certificate by LAND alone, its header binding it (a forger without HOUSING's key).
    const h = createHasher(chain.genesis.hashAlgorithm);
    const [, second, third] = chain.blocks as [ExportBlock, ExportBlock, ExportBlock];
    const lastCommit = signCommit(h, second.block, [{ validator: LAND, signer: signer(LAND) }], T0 + 2500);
    const header = { ...third.block.header, lastCommitHash: lastCommitHash(h, lastCommit) };
    const forged = {
      ...chain,
      blocks: [...chain.blocks.slice(0, 2), { ...third, block: { ...third.block, header, lastCommit } }],
    };
    const { auditor } = await audit(await archiveOf(forged), { genesis: chain.genesis });
    const refused = auditor.discrepancies.find((d) => d.code === "BLOCK_REFUSED");
    assert.equal(refused?.height, 3, JSON.stringify(auditor.discrepancies));
    assert.match(refused?.reason ?? "", /INVALID_LAST_COMMIT/);
    assert.equal(auditor.verifiedHeight, 1);
  });
});
