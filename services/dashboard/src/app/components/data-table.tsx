import type { ReactNode } from "react";

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell(row: T): ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** The cell names its row (`<th scope="row">`); one column at most. */
  rowHeader?: boolean;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  /** A key unique among the rows (the position is given for lists that may repeat a record). */
  rowKey(row: T, index: number): string;
  /** `data-*` attributes of a row (what tests and styles select rows by). */
  rowData?(row: T): Record<`data-${string}`, string>;
  testId?: string;
  /** Shown instead of an empty table. */
  empty?: ReactNode;
}

/** A table of records with column headers, scrolling sideways on narrow screens; the dashboard's one table markup. */
export function DataTable<T>({ columns, rows, rowKey, rowData, testId, empty }: DataTableProps<T>) {
  if (rows.length === 0 && empty !== undefined)
    return (
      <p className="muted" data-testid={testId} data-empty="true">
        {empty}
      </p>
    );
  return (
    <div className="scroll">
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? "num" : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} {...rowData?.(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row" className={c.numeric ? "num" : undefined}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.key} className={c.numeric ? "num" : undefined}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
