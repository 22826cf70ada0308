/** One column of a text table: its heading and how to read the cell from a row. */
export interface TableColumn<Row> {
  readonly heading: string;
  readonly cell: (row: Row) => string;
}

/**
 * Renders rows as an aligned text table, like `aws --output table` but compact: a heading line, a
 * rule, then one line per row. Cells are made single-line, so a multi-line commit message cannot
 * break the layout.
 */
export function renderTable<Row>(columns: readonly TableColumn<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row).replace(/\s+/g, ' ').trim()));
  const widths = columns.map((column, index) =>
    Math.max(column.heading.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const format = (line: readonly string[]): string =>
    line.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [
    format(columns.map((column) => column.heading)),
    format(widths.map((width) => '-'.repeat(width))),
    ...cells.map(format),
  ].join('\n');
}
