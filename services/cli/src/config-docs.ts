import { CONFIG_REFERENCE, type ConfigField } from "@coken/peer/config";

/** What the reference says about a field's absence: required, its default, or what absence means. */
function absence(f: ConfigField): string {
  if (f.required === true) return "required";
  if (typeof f.required === "string") return `required for ${f.required}`;
  if (f.defaultText !== undefined) return `absent: ${f.defaultText}`;
  if (f.default !== undefined) return `default ${JSON.stringify(f.default)}`;
  return "optional";
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** `coken config reference`: every config field with its type, default and meaning, as plain text. */
export function referenceText(): string {
  const out = [
    "Peer config fields (JSONC: comments and trailing commas allowed; relative paths from the file's folder).",
    "<id> stands for a key you choose; [] for the items of an array.",
    "",
  ];
  for (const f of CONFIG_REFERENCE) {
    out.push(`${f.path}  (${f.type}; ${absence(f)})`);
    for (const line of wrap(f.description, 100)) out.push(`    ${line}`);
  }
  return `${out.join("\n")}\n`;
}

/** The same as a Markdown table, for the README's configuration reference. */
export function referenceMarkdown(): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const rows = CONFIG_REFERENCE.map(
    (f) => `| \`${f.path}\` | ${cell(f.type)} | ${cell(absence(f))} | ${cell(f.description)} |`,
  );
  return `${["| field | type | when absent | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n")}\n`;
}

type Tree = { field: ConfigField; children: Tree[]; notes: ConfigField[] };

/** The reference as a tree of the fields a file spells out; `<id>` fields become notes on their parent. */
function referenceTree(): Tree[] {
  const byPath = new Map<string, Tree>();
  const roots: Tree[] = [];
  for (const field of CONFIG_REFERENCE) {
    const dynamic = field.path.indexOf(".<");
    if (dynamic >= 0) {
      byPath.get(field.path.slice(0, dynamic))?.notes.push(field);
      continue;
    }
    const node: Tree = { field, children: [], notes: [] };
    byPath.set(field.path, node);
    const parent = byPath.get(field.path.slice(0, Math.max(0, field.path.lastIndexOf("."))));
    (parent?.children ?? roots).push(node);
  }
  return roots;
}

function docLines(f: ConfigField, pad: string): string[] {
  return wrap(`${f.path} (${f.type}; ${absence(f)}): ${f.description}`, 104 - pad.length).map(
    (l) => `${pad}// ${l}`,
  );
}

/**
 * Writes one field: set when `value` is given, else commented out. Inside a section that is left out, its
 * required fields are shown set (with an example), so uncommenting the section gives a working one.
 */
function render(node: Tree, value: unknown, pad: string, out: string[]): void {
  const { field } = node;
  const key = JSON.stringify(keyOf(node));
  out.push(...docLines(field, pad));
  for (const n of node.notes)
    out.push(
      ...wrap(`${n.path} (${n.type}; ${absence(n)}): ${n.description}`, 100 - pad.length).map(
        (l) => `${pad}//   ${l}`,
      ),
    );
  const set = value !== undefined;
  const lead = set ? pad : `${pad}// `;
  if (node.children.length > 0 && (!set || (typeof value === "object" && value !== null))) {
    out.push(`${lead}${key}: {`);
    const inner: string[] = [];
    for (const child of node.children) {
      const example = child.field.required === true ? (child.field.example ?? {}) : undefined;
      render(child, set ? (value as Record<string, unknown>)[keyOf(child)] : example, "  ", inner);
    }
    for (const line of inner) out.push(`${lead}${line}`);
    out.push(`${lead}},`);
    return;
  }
  const shown = set ? value : (field.example ?? field.default ?? "...");
  const compact = JSON.stringify(shown);
  const json = (compact.length <= 72 ? compact : JSON.stringify(shown, null, 2)).split("\n");
  out.push(`${lead}${key}: ${json[0]}`, ...json.slice(1).map((l) => `${lead}${l}`));
  out[out.length - 1] += ",";
}

function keyOf(node: Tree): string {
  return node.field.path.slice(node.field.path.lastIndexOf(".") + 1);
}

/**
 * A peer config (JSONC) holding `values`, with every field of the reference documented in place: fields in
 * `values` are set, the others are shown commented out at their default or an example.
 */
export function commentedConfig(values: Record<string, unknown>, header: readonly string[]): string {
  const out = [
    ...header.map((l) => `// ${l}`),
    "// JSON with comments: // and /* */ comments and trailing commas are allowed. Relative paths are taken",
    "// from this file's folder. Fields left at their default are commented out; coken config reference",
    "// prints the same descriptions.",
    "{",
  ];
  const body: string[] = [];
  for (const node of referenceTree()) {
    render(node, values[keyOf(node)], "  ", body);
    body.push("");
  }
  body.pop();
  out.push(...body, "}");
  return `${out.join("\n")}\n`;
}
