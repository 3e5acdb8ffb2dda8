import {
  decodeBlockPart,
  decodeEvidence,
  decodeProposalHeader,
  decodeVote,
  verifyEvidence,
} from "@coken/consensus";
import { EncodingError, type Verifier } from "@coken/ledger";
import type { PeerId } from "@coken/p2p";
import type { StoredLedger } from "@coken/store";
import { assemblyLimits, BlockPartAssembly } from "./block-parts.js";
import { type ConsensusDriver, type ConsensusNetwork, validatorInfos } from "./driver.js";
import type { Logger } from "./log.js";
import type { Mempool } from "./mempool.js";
import type { BlockSync } from "./sync.js";

export interface GossipParts {
  network: ConsensusNetwork;
  chain: StoredLedger;
  driver: ConsensusDriver;
  mempool: Mempool;
  sync: BlockSync;
  verifier: Verifier;
  now: () => number;
  log: Logger;
}

/**
 * Routes gossip to the parts that handle it: txs to the mempool, proposal headers and block parts to their
 * assembly, which hands each complete proposal to consensus, votes to consensus (a message from a height above
 * ours starts block sync), evidence to a check. Undecodable bytes score the sender down.
 */
export function attachGossipHandlers(p: GossipParts): void {
  const { network, chain, driver } = p;
  const behind = (height: number) => {
    if (height > chain.ledger.head.height + 1) {
      p.sync
        .catchUp()
        .catch((e: unknown) =>
          p.log.warn("block sync failed", { error: e instanceof Error ? e.message : String(e) }),
        );
    }
  };
  const guarded =
    (reason: string, handle: (bytes: Uint8Array, from: PeerId) => void) =>
    (bytes: Uint8Array, from: PeerId) => {
      try {
        handle(bytes, from);
      } catch (e) {
        if (!(e instanceof EncodingError)) throw e;
        network.reportInvalid(from, reason);
      }
    };
  network.onMessage("txs", (bytes) => {
    p.mempool.add(bytes);
  });
  // Proposals of the next height only: a later one starts block sync, and its proposer re-gossips it.
  const parts = new BlockPartAssembly(
    {
      hasher: chain.ledger.hasher,
      verifier: p.verifier,
      chain: chain.ledger.head.chain,
      position: () => {
        const height = chain.ledger.head.height + 1;
        return { height, round: driver.roundAt(height) };
      },
      validators: () => validatorInfos(chain),
      deliver: (proposal) => driver.offer(driver.proposalInput(proposal)),
      reportInvalid: (peer, reason) => network.reportInvalid(peer, reason),
      log: p.log,
    },
    assemblyLimits(driver.maxBlockBytes),
  );
  network.onMessage(
    "proposals",
    guarded("undecodable-proposal", (bytes, from) => {
      const header = decodeProposalHeader(bytes);
      behind(header.height);
      parts.onHeader(header, from);
    }),
  );
  network.onMessage(
    "parts",
    guarded("undecodable-block-part", (bytes, from) => {
      const part = decodeBlockPart(bytes);
      behind(part.height);
      parts.onPart(part, from);
    }),
  );
  network.onMessage(
    "votes",
    guarded("undecodable-vote", (bytes) => {
      const vote = decodeVote(bytes);
      behind(vote.height);
      if (vote.height > chain.ledger.head.height) driver.offer({ kind: "vote", vote, time: p.now() });
    }),
  );
  network.onMessage("evidence", (bytes, from) => {
    try {
      const evidence = decodeEvidence(bytes);
      const check = verifyEvidence(
        chain.ledger.hasher,
        p.verifier,
        chain.ledger.head.chain,
        evidence,
        validatorInfos(chain),
      );
      if (check.ok) {
        p.log.warn("evidence received", {
          validator: evidence.voteA.validator,
          height: evidence.voteA.height,
        });
        driver.addEvidence(bytes, evidence);
      } else {
        network.reportInvalid(from, "invalid-evidence");
      }
    } catch (e) {
      if (!(e instanceof EncodingError)) throw e;
      network.reportInvalid(from, "undecodable-evidence");
    }
  });
}
