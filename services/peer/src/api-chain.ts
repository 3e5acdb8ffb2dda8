import { fromHex, toHex } from "@coken/ledger";
import type { StoredBlock, StoredTx } from "@coken/store";

/** A stored block as `GET /v1/chain/blocks` sends it: bytes as lower-case hex, everything else as stored. */
export interface BlockJson {
  height: number;
  hash: string;
  prevHash: string;
  timeMs: number;
  proposer: string;
  appHash: string;
  resultAppHash: string;
  header: string;
  commit: string | null;
  evidence: string | null;
  txs: {
    hash: string;
    index: number;
    kind: string;
    sender: string;
    seq: number;
    resultCode: string | null;
    raw: string;
  }[];
}

/** The JSON form of a stored block (for a remote replay). */
export function blockToJson(b: StoredBlock): BlockJson {
  return {
    height: b.height,
    hash: toHex(b.hash),
    prevHash: toHex(b.prevHash),
    timeMs: b.timeMs,
    proposer: b.proposer,
    appHash: toHex(b.appHash),
    resultAppHash: toHex(b.resultAppHash),
    header: toHex(b.header),
    commit: b.commit === null ? null : toHex(b.commit),
    evidence: b.evidence === null ? null : toHex(b.evidence),
    txs: b.txs.map((t) => ({
      hash: toHex(t.hash),
      index: t.index,
      kind: t.kind,
      sender: t.sender,
      seq: t.seq,
      resultCode: t.resultCode,
      raw: toHex(t.raw),
    })),
  };
}

/** Raw bytes a block carries, to bound a response's size. */
export function blockBytes(b: StoredBlock): number {
  return (
    b.header.length +
    (b.commit?.length ?? 0) +
    (b.evidence?.length ?? 0) +
    b.txs.reduce((n, t) => n + t.raw.length, 0)
  );
}

/** A block in a remote peer's answer that is not a block in the JSON form, at a path. */
export class BlockJsonError extends Error {
  override readonly name = "BlockJsonError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

type Json = Record<string, unknown>;

function field<T>(o: Json, name: string, path: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[name];
  if (!check(v)) throw new BlockJsonError(`${path}.${name}`, `expected ${what}`);
  return v;
}

const isUint = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === "string";
const isCode = (v: unknown): v is string | null => v === null || typeof v === "string";

function bytes(o: Json, name: string, path: string): Uint8Array {
  const v = o[name];
  const out = typeof v === "string" ? fromHex(v) : undefined;
  if (out === undefined) throw new BlockJsonError(`${path}.${name}`, "expected hex");
  return out;
}

const optionalBytes = (o: Json, name: string, path: string) =>
  o[name] === null ? null : bytes(o, name, path);

function object(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new BlockJsonError(path, "expected an object");
  return v as Json;
}

function txFromJson(v: unknown, path: string): StoredTx {
  const t = object(v, path);
  return {
    hash: bytes(t, "hash", path),
    index: field(t, "index", path, isUint, "an unsigned integer"),
    kind: field(t, "kind", path, isString, "a string"),
    sender: field(t, "sender", path, isString, "a string"),
    seq: field(t, "seq", path, isUint, "an unsigned integer"),
    resultCode: field(t, "resultCode", path, isCode, "a string or null"),
    raw: bytes(t, "raw", path),
  };
}

/** Parses one block of the JSON form (untrusted input); throws only BlockJsonError. */
export function blockFromJson(v: unknown, path = "$"): StoredBlock {
  const b = object(v, path);
  const txs = b.txs;
  if (!Array.isArray(txs)) throw new BlockJsonError(`${path}.txs`, "expected an array");
  return {
    height: field(b, "height", path, isUint, "an unsigned integer"),
    hash: bytes(b, "hash", path),
    prevHash: bytes(b, "prevHash", path),
    timeMs: field(b, "timeMs", path, isUint, "an unsigned integer"),
    proposer: field(b, "proposer", path, isString, "a string"),
    appHash: bytes(b, "appHash", path),
    resultAppHash: bytes(b, "resultAppHash", path),
    header: bytes(b, "header", path),
    commit: optionalBytes(b, "commit", path),
    evidence: optionalBytes(b, "evidence", path),
    txs: txs.map((t, i) => txFromJson(t, `${path}.txs[${i}]`)),
  };
}
