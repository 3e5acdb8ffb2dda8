import {
  CommittedState,
  createHasher,
  decodeValidatorKeys,
  encodeRecord,
  encodeValidatorKeys,
  fromHex,
  type Genesis,
  Ledger,
  toHex,
} from "@coken/ledger";
import { Auditor, type AuditorOptions, type Discrepancy } from "./auditor.js";
import type { PendingProof } from "./proofs.js";
import type { AuditStats } from "./stats.js";

/** Where in an archive a checkpoint stands: just after a block frame. */
export interface ArchivePosition {
  offset: number;
  seq: number;
  link: string;
}

/**
 * An audit's state after a block, written by the auditor itself so a long replay can resume (JSON). It is trusted
 * as the auditor's own file: resuming checks only that its state gives the head's app hash.
 */
export interface Checkpoint {
  format: "coken-audit-checkpoint/1";
  genesis: Genesis;
  head: { chain: string; height: number; hash: string; time: number; appHash: string; validators: string };
  state: [string, string][];
  window: { id: string; time: number; request: string }[];
  verifiedHeight: number;
  stats: AuditStats;
  discrepancies: Discrepancy[];
  pending: PendingProof[];
  archive?: ArchivePosition;
}

const jsonGenesis = (g: Genesis): Genesis =>
  JSON.parse(
    JSON.stringify(g, (_k, v) =>
      v instanceof Uint8Array ? { hex: toHex(v) } : typeof v === "bigint" ? { big: v.toString() } : v,
    ),
  );
const liveGenesis = (g: Genesis): Genesis =>
  JSON.parse(JSON.stringify(g), (_k, v) =>
    v !== null && typeof v === "object" && typeof v.hex === "string" && Object.keys(v).length === 1
      ? fromHex(v.hex)
      : v !== null && typeof v === "object" && typeof v.big === "string" && Object.keys(v).length === 1
        ? BigInt(v.big)
        : v,
  );

export function takeCheckpoint(auditor: Auditor, genesis: Genesis, archive?: ArchivePosition): Checkpoint {
  const head = auditor.ledger.head;
  return {
    format: "coken-audit-checkpoint/1",
    genesis: jsonGenesis(genesis),
    head: {
      chain: head.chain,
      height: head.height,
      hash: toHex(head.hash),
      time: head.time,
      appHash: toHex(head.appHash),
      validators: toHex(encodeValidatorKeys(head.validators)),
    },
    state: auditor.ledger.state.entries().map(([k, v]) => [k, toHex(encodeRecord(v))]),
    window: auditor.window.map((r) => ({ ...r })),
    verifiedHeight: auditor.verifiedHeight,
    stats: JSON.parse(JSON.stringify(auditor.stats)),
    discrepancies: [...auditor.discrepancies],
    pending: [...auditor.pendingProofs.values()],
    ...(archive ? { archive } : {}),
  };
}

export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
}

const bytes = (hex: string, what: string): Uint8Array => {
  const b = fromHex(hex);
  if (b === undefined) throw new CheckpointError(`checkpoint ${what} is not hex`);
  return b;
};

/** Rebuilds the auditor a checkpoint was taken from; throws CheckpointError if it does not hold together. */
export function resumeAuditor(
  cp: Checkpoint,
  options: AuditorOptions,
): { auditor: Auditor; genesis: Genesis } {
  if (cp.format !== "coken-audit-checkpoint/1") throw new CheckpointError("not an audit checkpoint");
  const genesis = liveGenesis(cp.genesis);
  const h = createHasher(genesis.hashAlgorithm);
  const state = CommittedState.fromEncoded(
    h,
    cp.state.map(([key, hex]) => ({ key, value: bytes(hex, `record ${key}`) })),
  );
  state.rememberReceipts(cp.window);
  const head = {
    ...cp.head,
    hash: bytes(cp.head.hash, "head hash"),
    appHash: bytes(cp.head.appHash, "app hash"),
    validators: decodeValidatorKeys(bytes(cp.head.validators, "validators")),
  };
  if (toHex(state.appHash()) !== cp.head.appHash)
    throw new CheckpointError("checkpoint state does not give its app hash");
  const ledger = Ledger.resume(state, head, options.verifier);
  const auditor = new Auditor(ledger, options, {
    stats: cp.stats,
    discrepancies: cp.discrepancies,
    pendingProofs: new Map(cp.pending.map((p) => [p.receipt, p])),
    window: cp.window,
    verifiedHeight: cp.verifiedHeight,
  });
  return { auditor, genesis };
}
