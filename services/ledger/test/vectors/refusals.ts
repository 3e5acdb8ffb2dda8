import {
  type Block,
  type BlockErrorCode,
  type CommitCertificate,
  type CommitErrorCode,
  createVerifier,
  decodeBlock,
  encodeBlock,
  fromHex,
  Ledger,
  lastCommitHash,
  parseGenesis,
  toHex,
  validatorsHash,
} from "../../src/index.js";
import { certify } from "../fixtures.js";
import { type GoldenChain, VALIDATOR_CHANGES } from "./build.js";

export interface RefusalCase {
  name: string;
  /** Replay this many blocks of the golden chain first; the case block comes next. */
  after: number;
  block: string;
  /** Null when the block is valid. */
  error: BlockErrorCode | null;
  /** For INVALID_LAST_COMMIT, the certificate's refusal (null when the certificate is missing or not allowed). */
  certificateError: CommitErrorCode | null;
}

export interface RefusalVectors {
  description: string;
  chain: string;
  cases: RefusalCase[];
}

const PROPOSER = "sh.land-registry";
const ALL = ["bj.housing", "gz.tax", "regulator", "sh.land-registry"];

/** The golden chain replayed to `after` blocks, with the last of them decoded. */
function prefix(chain: GoldenChain, after: number): { ledger: Ledger; last: Block | null } {
  const ledger = Ledger.fromGenesis(parseGenesis(chain.genesis), createVerifier());
  let last: Block | null = null;
  for (const b of chain.blocks.slice(0, after)) {
    last = decodeBlock(fromHex(b.block) as Uint8Array);
    ledger.apply(last);
  }
  return { ledger, last };
}

/** An empty block over the prefix carrying `lastCommit`, its header binding `bound` (default: the same). */
function caseBlock(
  ledger: Ledger,
  lastCommit: CommitCertificate | null,
  bound: CommitCertificate | null = lastCommit,
): string {
  const block = ledger.buildBlock({ txs: [], time: ledger.head.time + 1000, proposer: PROPOSER, lastCommit });
  block.header.lastCommitHash = lastCommitHash(ledger.hasher, bound);
  return toHex(encodeBlock(block));
}

type AddCase = (
  name: string,
  block: string,
  error: BlockErrorCode | null,
  certificateError: CommitErrorCode | null,
  after: number,
) => void;

/**
 * Blocks around the golden chain's validator-set changes (executed in blocks 7 and 8, in force from 9 and 10): a
 * header or certificate is checked against the set of its own height, never against one scheduled after it.
 */
function addSetChangeCases(chain: GoldenChain, add: AddCase): void {
  const at7 = prefix(chain, 7);
  const hex8 = caseBlock(at7.ledger, certify(at7.ledger, ALL, at7.last as Block));
  const block8 = decodeBlock(fromHex(hex8) as Uint8Array);
  block8.header.validatorsHash = validatorsHash(at7.ledger.hasher, VALIDATOR_CHANGES[0] ?? []);
  add(
    "block 8 naming the set scheduled for height 9",
    toHex(encodeBlock(block8)),
    "WRONG_VALIDATORS_HASH",
    null,
    7,
  );
  const at8 = prefix(chain, 8);
  add(
    "block 8 certified by gz.tax and sh.land-registry: 20 of 40 in its own set (30 of 40 in the next one)",
    caseBlock(at8.ledger, certify(at8.ledger, ["gz.tax", "sh.land-registry"], at8.last as Block)),
    "INVALID_LAST_COMMIT",
    "NO_QUORUM",
    8,
  );
  const at9 = prefix(chain, 9);
  add(
    "block 9 certified by gz.tax and sh.land-registry: 30 of 40 in its set",
    caseBlock(at9.ledger, certify(at9.ledger, ["gz.tax", "sh.land-registry"], at9.last as Block)),
    null,
    null,
    9,
  );
  add(
    "block 9 certified with a precommit of the regulator, removed from its set",
    caseBlock(at9.ledger, certify(at9.ledger, ALL, at9.last as Block)),
    "INVALID_LAST_COMMIT",
    "UNKNOWN_VALIDATOR",
    9,
  );
}

/**
 * Blocks that extend the golden sha256 chain and are refused for their `lastCommit` (one per refusal of §11 and
 * of header checks 10 and 11), plus one accepted block whose certificate holds a quorum subset, and the cases
 * around the chain's validator-set changes.
 */
export function buildRefusalVectors(chain: GoldenChain): RefusalVectors {
  const { ledger, last } = prefix(chain, 2);
  const previous = last as Block;
  const sign = (signers: string[], block: Block = previous, round = 0) =>
    certify(ledger, signers, block, round);
  const cases: RefusalCase[] = [];
  const add = (
    name: string,
    block: string,
    error: BlockErrorCode | null,
    certificateError: CommitErrorCode | null = null,
    after = 2,
  ) => cases.push({ name, after, block, error, certificateError });

  add(
    "a quorum subset (3 of 4) in ascending order is a valid certificate",
    caseBlock(ledger, sign(ALL.slice(1))),
    null,
  );
  // Same height, another hash (a block the validators did not decide).
  const other = { ...previous, header: { ...previous.header, time: previous.header.time + 1 } };
  add(
    "precommits for another block",
    caseBlock(ledger, sign(ALL, other)),
    "INVALID_LAST_COMMIT",
    "WRONG_BLOCK",
  );
  add(
    "a precommit of an agency outside the validator set",
    caseBlock(ledger, sign(["auditor", ...ALL])),
    "INVALID_LAST_COMMIT",
    "UNKNOWN_VALIDATOR",
  );
  add(
    "one validator twice",
    caseBlock(ledger, sign(["bj.housing", "gz.tax", "gz.tax", "sh.land-registry"])),
    "INVALID_LAST_COMMIT",
    "DUPLICATE_VALIDATOR",
  );
  add(
    "signatures not ascending by validator id",
    caseBlock(ledger, sign(["gz.tax", "bj.housing", "regulator", "sh.land-registry"])),
    "INVALID_LAST_COMMIT",
    "UNORDERED_SIGNATURES",
  );
  const forged = sign(ALL);
  const firstSig = forged.signatures[0] as { signature: Uint8Array };
  firstSig.signature = firstSig.signature.slice();
  firstSig.signature[0] = (firstSig.signature[0] ?? 0) ^ 1;
  add("a signature that does not verify", caseBlock(ledger, forged), "INVALID_LAST_COMMIT", "BAD_SIGNATURE");
  add(
    "precommits signed in another round than the certificate's",
    caseBlock(ledger, { ...sign(ALL), round: 1 }),
    "INVALID_LAST_COMMIT",
    "BAD_SIGNATURE",
  );
  add(
    "half the power",
    caseBlock(ledger, sign(["bj.housing", "sh.land-registry"])),
    "INVALID_LAST_COMMIT",
    "NO_QUORUM",
  );
  add("no certificate after block 1", caseBlock(ledger, null), "INVALID_LAST_COMMIT");
  add(
    "the header binds another certificate than the block carries",
    caseBlock(ledger, sign(ALL), sign(ALL.slice(1))),
    "WRONG_LAST_COMMIT_HASH",
  );
  const genesis = prefix(chain, 0).ledger;
  const first = decodeBlock(fromHex(chain.blocks[0]?.block as string) as Uint8Array);
  add(
    "block 1 with a certificate",
    caseBlock(genesis, certify(genesis, ALL, first)),
    "INVALID_LAST_COMMIT",
    null,
    0,
  );
  addSetChangeCases(chain, add);
  return {
    description:
      "Blocks extending chain-sha256.json that are refused for their lastCommit or, around its validator-set changes, for naming a set not yet in force: replay `after` blocks of that chain, then the case block must fail with `error` (and, for INVALID_LAST_COMMIT, the certificate refusal `certificateError`), or apply when `error` is null.",
    chain: "chain-sha256.json",
    cases,
  };
}
