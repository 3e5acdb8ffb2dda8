import {
  createHasher,
  decodeCommitCertificate,
  EncodingError,
  fromHex,
  type Genesis,
  GenesisError,
  genesisHash,
  parseGenesis,
  toHex,
} from "@coken/ledger";
import { decodeBlockBody, decodeEndBody, decodeProofBody } from "../archive/bodies.js";
import { FrameChain } from "../archive/chain.js";
import { ArchiveError } from "../archive/format.js";
import { readFrames } from "../archive/reader.js";
import { Auditor, type AuditorOptions } from "./auditor.js";
import { type Checkpoint, resumeAuditor, takeCheckpoint } from "./checkpoint.js";
import { checkProofs } from "./finish.js";
import { KeyRing } from "./proofs.js";

export interface ArchiveAuditOptions extends AuditorOptions {
  /** The genesis the auditor trusts; the archive's must be the same. Without it the archive's is used (and named). */
  genesis?: Genesis;
  /** Missing proofs of proved receipts are discrepancies, not only anomalies. */
  requireProofs?: boolean;
  onBlock?: (height: number) => void;
  /** Resume from a checkpoint taken in the same archive. */
  resume?: Checkpoint;
  /** Called after every `every` blocks with a checkpoint to save. */
  checkpoint?: { every: number; save(cp: Checkpoint): Promise<void> | void };
}

export interface ArchiveAudit {
  auditor: Auditor;
  genesis: Genesis | null;
  /** The end frame's link: the digest two holders of one archive compare. Null if the archive did not end. */
  digest: string | null;
  /** Highest block height in the archive (the end frame's), when read. */
  archiveHeight: number | null;
}

function readGenesisFrame(body: Uint8Array): Genesis {
  try {
    return parseGenesis(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)));
  } catch (e) {
    if (e instanceof GenesisError || e instanceof SyntaxError || e instanceof TypeError)
      throw new ArchiveError("BAD_GENESIS", 0, e.message);
    throw e;
  }
}

/**
 * Audits an archive (docs/spec/archive.md) read as a stream of chunks: checks its hash chain and order frame by
 * frame, replays its blocks (`Auditor`), checks the seen commit of its newest block, then every proved receipt's
 * stored proof against the verification keys it carries. Everything wrong becomes a discrepancy; the archive
 * being damaged stops the audit where it is.
 */
export async function auditArchive(
  open: (offset: number) => AsyncIterable<Uint8Array>,
  options: ArchiveAuditOptions,
): Promise<ArchiveAudit> {
  const resumed = options.resume ? resumeAuditor(options.resume, options) : undefined;
  let genesis: Genesis | null = resumed?.genesis ?? null;
  let auditor: Auditor | null = resumed?.auditor ?? null;
  const position = options.resume?.archive;
  let chain: FrameChain | null =
    genesis && position
      ? new FrameChain(createHasher(genesis.hashAlgorithm), {
          seq: position.seq,
          link: fromHex(position.link) as Uint8Array,
          kind: "block",
        })
      : null;
  const ring = new KeyRing();
  const proofs = new Map<string, string>();
  let digest: string | null = null;
  let archiveHeight: number | null = null;
  let sinceCheckpoint = 0;
  type Failure = { code: "ARCHIVE" | "GENESIS_MISMATCH" | "KEY_INVALID"; reason: string };
  const early: Failure[] = [];
  const fail = (code: Failure["code"], reason: string, fatal = true) => {
    if (auditor) auditor.fail({ code, height: auditor.height, reason }, fatal);
    else early.push({ code, reason });
  };
  try {
    for await (const { frame, encoded, end } of readFrames(
      open(position?.offset ?? 0),
      position?.offset ?? 0,
      position?.seq ?? 0,
    )) {
      if (digest !== null) throw new ArchiveError("TRAILING_DATA", frame.seq, "a frame after the end frame");
      if (frame.kind === "genesis") {
        genesis = readGenesisFrame(frame.body);
        const h = createHasher(genesis.hashAlgorithm);
        if (
          options.genesis &&
          toHex(genesisHash(h, genesis)) !==
            toHex(genesisHash(createHasher(options.genesis.hashAlgorithm), options.genesis))
        ) {
          fail("GENESIS_MISMATCH", "the archive's genesis is not the one given");
          break;
        }
        chain = new FrameChain(h);
        auditor = Auditor.fromGenesis(genesis, options);
      }
      if (chain === null || auditor === null || genesis === null)
        throw new ArchiveError("OUT_OF_ORDER", frame.seq, "the archive does not start with its genesis");
      chain.accept(frame, encoded);
      switch (frame.kind) {
        case "block": {
          const b = decodeBlockBody(frame.body, frame.seq);
          if (
            !auditor.block({
              height: b.block.header.height,
              block: b.block,
              appHash: b.appHash,
              results: b.results,
            })
          )
            break;
          options.onBlock?.(auditor.height);
          if (options.checkpoint && ++sinceCheckpoint >= options.checkpoint.every) {
            sinceCheckpoint = 0;
            await options.checkpoint.save(
              takeCheckpoint(auditor, genesis, { offset: end, seq: chain.next, link: toHex(chain.head) }),
            );
          }
          break;
        }
        case "seen":
          try {
            auditor.seenCommit(decodeCommitCertificate(frame.body));
          } catch (e) {
            if (!(e instanceof EncodingError)) throw e;
            auditor.fail({ code: "BAD_SEEN_COMMIT", height: auditor.height, reason: e.message });
          }
          break;
        case "key":
          if (ring.add(new TextDecoder().decode(frame.body)) === null)
            fail("KEY_INVALID", `frame ${frame.seq} holds no verification key`, false);
          break;
        case "proof": {
          const p = decodeProofBody(frame.body, frame.seq);
          const id = toHex(p.receipt);
          if (proofs.has(id))
            throw new ArchiveError("BAD_FRAME", frame.seq, `a second proof of receipt ${id}`);
          proofs.set(id, p.bundle);
          break;
        }
        case "end": {
          const e = decodeEndBody(frame.body, frame.seq);
          if (e.frames !== frame.seq || (!auditor.stopped && e.height !== auditor.height))
            throw new ArchiveError(
              "BAD_FRAME",
              frame.seq,
              `the end frame counts ${e.frames} frames to height ${e.height}`,
            );
          archiveHeight = e.height;
          digest = toHex(chain.head);
          break;
        }
        default:
          break;
      }
      if (auditor.stopped) break;
    }
    if (digest === null && auditor !== null && !auditor.stopped)
      throw new ArchiveError("TRUNCATED", chain?.next ?? 0, "the archive has no end frame");
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    fail("ARCHIVE", `${e.code}: ${e.message}`);
  }
  if (auditor === null) {
    // Nothing replayable: report against an empty audit of the given genesis if there is one.
    const first = early[0];
    if (!options.genesis) throw new ArchiveError("BAD_GENESIS", 0, first?.reason ?? "no genesis");
    auditor = Auditor.fromGenesis(options.genesis, options);
    auditor.fail(
      { code: first?.code ?? "ARCHIVE", height: 0, reason: first?.reason ?? "empty archive" },
      true,
    );
  } else if (!auditor.stopped) {
    await checkProofs(auditor, ring, (id) => proofs.get(id), options.requireProofs === true);
  }
  return { auditor, genesis, digest, archiveHeight };
}
