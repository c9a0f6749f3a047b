import type { Row, TableSchema } from '../storage/index.js';
import { READINGS_DDL, READINGS_TABLE } from './reading.js';
import type { ReadingColumns } from './reading-columns.js';

/** The columns `readings` needs, with the types their values take. */
const COLUMNS = [
  ['reading_id', 'STRING'], ['device_id', 'STRING'], ['ts', 'INT'], ['seq', 'INT'],
  ['metric', 'STRING'], ['value', 'FLOAT'],
] as const;

/**
 * Why `schema` can't take readings (what to run instead), or null when it can: it must have
 * the guide's six columns with those types; other columns must allow NULL.
 */
export function readingsTableProblem(schema: TableSchema | undefined): string | null {
  if (schema === undefined) {
    return `table ${READINGS_TABLE} does not exist; create it first: ${READINGS_DDL}`;
  }
  for (const [name, type] of COLUMNS) {
    const column = schema.columns.find((c) => c.name === name);
    if (column === undefined || column.type !== type) {
      return `table ${READINGS_TABLE} needs a column ${name} ${type}; it was created as: ` +
        `(${schema.columns.map((c) => `${c.name} ${c.type}`).join(', ')}); expected ${READINGS_DDL}`;
    }
  }
  const extra = schema.columns.find((c) => c.notNull && !COLUMNS.some(([name]) => name === c.name));
  return extra === undefined ? null
    : `table ${READINGS_TABLE} has a NOT NULL column ${extra.name} that readings don't fill`;
}

/** The guide's `reading_id` of reading `i`: device_id:ts:seq:metric. */
export function readingIdAt(readings: ReadingColumns, i: number): string {
  return `${readings.devices[readings.device[i] ?? 0] ?? ''}:${readings.ts[i] ?? 0}:${readings.seq[i] ?? 0}:` +
    `${readings.metrics[readings.metric[i] ?? 0] ?? ''}`;
}

type ColumnValue = (readings: ReadingColumns, i: number, id: string) => string | number | null;

const VALUES: Record<string, ColumnValue> = {
  reading_id: (_, __, id) => id,
  device_id: (r, i) => r.devices[r.device[i] ?? 0] ?? null,
  ts: (r, i) => r.ts[i] ?? null,
  seq: (r, i) => r.seq[i] ?? null,
  metric: (r, i) => r.metrics[r.metric[i] ?? 0] ?? null,
  value: (r, i) => r.value[i] ?? null,
};

/** How reading `i` (whose id is `id`) becomes a row of `schema`: its columns in the table's order, others NULL. */
export function readingRows(schema: TableSchema): (readings: ReadingColumns, i: number, id: string) => Row {
  const columns = schema.columns.map((column) => (Object.hasOwn(VALUES, column.name) ? VALUES[column.name] : undefined) ?? null);
  return (readings, i, id) => columns.map((value) => (value === null ? null : value(readings, i, id)));
}
