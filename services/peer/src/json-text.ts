import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { ConfigError } from "./config-fields.js";

const SYNTAX: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' between entries",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "expected the end of the file after the top-level value",
  InvalidCommentToken: "comments are not allowed here",
  UnexpectedEndOfComment: "unterminated /* comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "malformed \\u escape",
  InvalidEscapeCharacter: "malformed escape in a string",
  InvalidCharacter: "control character in a string",
};

function syntaxError(text: string, error: ParseError, file: string): ConfigError {
  const before = text.slice(0, error.offset).split("\n");
  const code = printParseErrorCode(error.error);
  return new ConfigError("", `JSON syntax error: ${SYNTAX[code] ?? code}`, {
    file,
    line: before.length,
    column: (before.at(-1)?.length ?? 0) + 1,
  });
}

/** The value of a syntax tree, with every object key an own property (`__proto__` included) and no key twice. */
function treeValue(node: Node, path: string, file: string): unknown {
  if (node.type === "array") return (node.children ?? []).map((n, i) => treeValue(n, `${path}[${i}]`, file));
  if (node.type !== "object") return node.value;
  const o: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    if (keyNode === undefined || valueNode === undefined) continue;
    const key = String(keyNode.value);
    const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    if (Object.hasOwn(o, key)) throw new ConfigError(at, "appears twice", { file });
    Object.defineProperty(o, key, {
      value: treeValue(valueNode, at, file),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return o;
}

/**
 * Parses JSON with comments and trailing commas (a peer's config); a syntax error names the file, line and
 * column, a repeated key its path. Throws only ConfigError.
 */
export function parseJsonc(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) throw syntaxError(text, first, file);
  if (tree === undefined) throw new ConfigError("", "empty file: expected a JSON object", { file });
  return treeValue(tree, "$", file);
}

/**
 * Parses strict JSON as JSON.parse does (a genesis file, whose parsed value is hashed); a syntax error names
 * the file, line and column. Throws only ConfigError.
 */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const errors: ParseError[] = [];
    parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
    const first = errors[0];
    if (first !== undefined) throw syntaxError(text, first, file);
    throw new ConfigError("", `JSON syntax error: ${(e as Error).message}`, { file });
  }
}
