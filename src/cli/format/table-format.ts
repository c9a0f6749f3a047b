import type { StatementResult } from '../../sql/index.js';
import { assertNever } from '../../lib/index.js';
import { valueText } from './value-text.js';

/** How an empty SELECT is shown below its header: psql's convention. */
export const EMPTY_RESULT_LINE = '(0 rows)';

/**
 * Renders a result as the guide's ASCII table (`+----+` borders, cells left-aligned, padded by
 * one space, NULL shown as `NULL`), or as its message for any other statement. An empty result
 * shows the header box followed by `(0 rows)`. Returns the lines without trailing newlines.
 */
export function formatTable(result: StatementResult): string[] {
  switch (result.kind) {
    case 'message':
      return [result.message];
    case 'rows':
      return rowsTable(result.columns, result.rows.map((row) =>
        result.columns.map((_, i) => {
          const value = row[i] ?? null;
          if (value === null) return 'NULL';
          return cellText(valueText(value, result.columnTypes[i] ?? null));
        })));
    default:
      return assertNever(result, 'statement result');
  }
}

function rowsTable(columns: readonly string[], cells: readonly string[][]): string[] {
  const headers = columns.map(cellText);
  const widths = headers.map((header, i) =>
    cells.reduce((w, row) => Math.max(w, displayWidth(row[i] ?? '')), displayWidth(header)));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (values: readonly string[]): string =>
    '|' + widths.map((w, i) => ' ' + pad(values[i] ?? '', w) + ' ').join('|') + '|';
  const lines = [border, line(headers), border];
  if (cells.length === 0) return [...lines, EMPTY_RESULT_LINE];
  for (const row of cells) lines.push(line(row));
  lines.push(border);
  return lines;
}

/** Control characters would break the box: show them escaped, as psql and sqlite3 do. */
function cellText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (ch) => {
    switch (ch) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
}

/** Width in terminal columns: code points, with East Asian wide characters counted twice. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
}
