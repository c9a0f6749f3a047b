import type { Row, TableSchema } from '../storage/index.js';
import { READINGS_DDL, READINGS_TABLE, readingId } from './reading.js';
import type { Reading } from './reading.js';

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

/** A reading as a row of `schema` (its columns in the table's order, others NULL). */
export function readingRow(schema: TableSchema, reading: Reading): Row {
  const values: Record<string, string | number> = {
    reading_id: readingId(reading), device_id: reading.deviceId, ts: reading.ts, seq: reading.seq,
    metric: reading.metric, value: reading.value,
  };
  return schema.columns.map((column) => values[column.name] ?? null);
}
