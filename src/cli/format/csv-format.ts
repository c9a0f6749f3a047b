import type { StatementResult } from '../../sql/index.js';
import { assertNever } from '../../lib/index.js';
import { valueText } from './value-text.js';

/**
 * Renders a result as RFC 4180 CSV records (header, then rows); any other statement renders
 * as nothing. NULL is an empty field and an empty string is `""`, so the two stay apart.
 * Records are returned without terminators; the caller ends each with `\n` (which RFC 4180
 * readers accept) so that line-oriented shell tools see no stray `\r`.
 */
export function formatCsv(result: StatementResult): string[] {
  switch (result.kind) {
    case 'message':
      return [];
    case 'rows': {
      const lines = [result.columns.map(csvField).join(',')];
      for (const row of result.rows) {
        lines.push(result.columns.map((_, i) => {
          const value = row[i] ?? null;
          return value === null ? '' : csvField(valueText(value, result.columnTypes[i] ?? null));
        }).join(','));
      }
      return lines;
    }
    default:
      return assertNever(result, 'statement result');
  }
}

/** Quotes a field when it is empty or holds a comma, a quote or a line break. */
function csvField(text: string): string {
  if (text === '' || /[",\r\n]/.test(text)) return '"' + text.replace(/"/g, '""') + '"';
  return text;
}
