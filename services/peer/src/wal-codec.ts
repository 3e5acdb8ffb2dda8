import {
  type ConsensusInput,
  decodeProposal,
  decodeVote,
  encodeProposal,
  encodeVote,
  type ValidatorInfo,
} from "@coken/consensus";
import {
  type CborMap,
  type CborValue,
  decodeBlock,
  decodeCbor,
  encodeBlock,
  encodeCbor,
} from "@coken/ledger";

/** A consensus input as the WAL stores it: (height, round, kind) columns and canonical CBOR payload. */
export interface WalInputRecord {
  height: number;
  round: number;
  kind: ConsensusInput["kind"];
  payload: Uint8Array;
}

function validatorsValue(vs: readonly ValidatorInfo[]): CborValue {
  return vs.map((v) => ({
    agency: v.agency,
    power: v.power,
    publicKey: v.publicKey,
    keyScheme: v.keyScheme,
  }));
}

/** Encodes an input for the WAL. Proposals, votes and blocks keep their own canonical encodings. */
export function encodeWalInput(input: ConsensusInput): WalInputRecord {
  switch (input.kind) {
    case "start":
      return {
        height: input.height,
        round: 0,
        kind: "start",
        payload: encodeCbor({
          time: input.time,
          ...(input.validators ? { validators: validatorsValue(input.validators) } : {}),
        }),
      };
    case "proposal":
      return {
        height: input.proposal.height,
        round: input.proposal.round,
        kind: "proposal",
        payload: encodeCbor({
          proposal: encodeProposal(input.proposal),
          valid: input.valid,
          time: input.time,
        }),
      };
    case "vote":
      return {
        height: input.vote.height,
        round: input.vote.round,
        kind: "vote",
        payload: encodeCbor({ vote: encodeVote(input.vote), time: input.time }),
      };
    case "timeout":
      return {
        height: input.height,
        round: input.round,
        kind: "timeout",
        payload: encodeCbor({ step: input.step, time: input.time }),
      };
    case "value":
      return {
        height: input.block.header.height,
        round: 0,
        kind: "value",
        payload: encodeCbor({ block: encodeBlock(input.block), time: input.time }),
      };
  }
}

/** Decodes a WAL record written by `encodeWalInput` (the WAL is local and trusted; corruption throws). */
export function decodeWalInput(record: {
  height: number;
  round: number;
  kind: string;
  payload: Uint8Array;
}): ConsensusInput {
  const p = decodeCbor(record.payload) as CborMap;
  const time = p.time as number;
  switch (record.kind) {
    case "start": {
      const vs = p.validators as CborMap[] | undefined;
      return {
        kind: "start",
        height: record.height,
        time,
        ...(vs
          ? {
              validators: vs.map((v) => ({
                agency: v.agency as string,
                power: v.power as number,
                publicKey: v.publicKey as Uint8Array,
                keyScheme: v.keyScheme as ValidatorInfo["keyScheme"],
              })),
            }
          : {}),
      };
    }
    case "proposal":
      return {
        kind: "proposal",
        proposal: decodeProposal(p.proposal as Uint8Array),
        valid: p.valid as boolean,
        time,
      };
    case "vote":
      return { kind: "vote", vote: decodeVote(p.vote as Uint8Array), time };
    case "timeout":
      return { kind: "timeout", step: p.step as "propose", height: record.height, round: record.round, time };
    case "value":
      return { kind: "value", block: decodeBlock(p.block as Uint8Array), time };
    default:
      throw new Error(`unknown WAL record kind ${record.kind}`);
  }
}
