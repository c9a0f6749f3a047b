import type { StatementResult } from '../../sql/index.js';
import { assertNever } from '../../lib/index.js';
import { formatCsv } from './csv-format.js';
import { formatJson } from './json-format.js';
import { formatTable } from './table-format.js';

export { formatCsv } from './csv-format.js';
export { formatJson } from './json-format.js';
export { formatTable, EMPTY_RESULT_LINE } from './table-format.js';
export { valueText } from './value-text.js';

/** The output formats of `chronos client --format`. */
export type OutputFormat = 'table' | 'json' | 'csv';

/** Every output format, in the order help text lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

/** The lines a result prints as in `format` (no trailing newlines; may be empty). */
export function formatResult(result: StatementResult, format: OutputFormat): string[] {
  switch (format) {
    case 'table': return formatTable(result);
    case 'json': return [formatJson(result)];
    case 'csv': return formatCsv(result);
    default: return assertNever(format, 'output format');
  }
}
