/** A plain-text table: a header, a rule, the rows; columns as wide as their widest cell (CJK counted double). */
export function formatTable(header: string[], rows: string[][]): string {
  const width = (s: string) =>
    [...s].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const cols = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((cols[i] ?? 0) - width(c))))
      .join("  ")
      .trimEnd();
  return `${[line(header), line(cols.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}
