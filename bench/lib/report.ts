/** Number formatting and text tables for the benchmarks' reports. */

/** `value` with `digits` decimals; `-` when it is not finite. */
export const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** PASS or FAIL; `n/a` when nothing was decided (null). */
export const verdict = (pass: boolean | null): string => (pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL');

/** Plain-text columns: the first row is the header, underlined; numeric cells after the first column right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, column) => (column > 0 && /^[-\d.,/ ]+$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd();
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n');
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
