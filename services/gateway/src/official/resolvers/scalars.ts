import { toHex } from "@coken/ledger";
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

const HEX = /^(?:[0-9a-f]{2})*$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;

const literalString = (type: string) => (ast: { kind: string; value?: unknown }) => {
  if (ast.kind !== Kind.STRING || typeof ast.value !== "string") {
    throw new GraphQLError(`${type} must be a string`);
  }
  return ast.value;
};

/** ISO 8601 instants out (from ms since the epoch), ISO strings in (kept as text, parsed where used). */
const parseDateTime = (value: unknown): string => {
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError("DateTime must be an ISO 8601 string");
  }
  return value;
};

export const DateTimeScalar: GraphQLScalarType = new GraphQLScalarType({
  name: "DateTime",
  serialize: (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new GraphQLError("DateTime must be ms");
    return new Date(value).toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literalString("DateTime")(ast)),
});

/** Unsigned 64-bit integers as decimal strings. */
const parseBigInt = (value: unknown): string => {
  if (typeof value !== "string" || !DECIMAL.test(value))
    throw new GraphQLError("BigInt must be a decimal string");
  return value;
};

export const BigIntScalar: GraphQLScalarType = new GraphQLScalarType({
  name: "BigInt",
  serialize: (value) => {
    if (typeof value !== "bigint") throw new GraphQLError("BigInt must be a bigint");
    return value.toString();
  },
  parseValue: parseBigInt,
  parseLiteral: (ast) => parseBigInt(literalString("BigInt")(ast)),
});

/** Bytes as lower-case hex. */
const parseHex = (value: unknown): string => {
  if (typeof value !== "string" || !HEX.test(value)) throw new GraphQLError("Hex must be lower-case hex");
  return value;
};

export const HexScalar: GraphQLScalarType = new GraphQLScalarType({
  name: "Hex",
  serialize: (value) => {
    if (value instanceof Uint8Array) return toHex(value);
    if (typeof value === "string" && HEX.test(value)) return value;
    throw new GraphQLError("Hex must be bytes");
  },
  parseValue: parseHex,
  parseLiteral: (ast) => parseHex(literalString("Hex")(ast)),
});
