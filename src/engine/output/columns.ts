import { SourcePosition } from '../model';

/** Rows padded into aligned columns (two spaces apart, no trailing blanks). */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** `file:line` of a resource, for the wide output. */
export function sourceColumn(source: SourcePosition | undefined): string {
  return source ? `${source.file}:${source.line}` : '';
}
