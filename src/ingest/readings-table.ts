import type { BlockColumns, ColumnInput, Row, TableSchema } from '../storage/index.js';
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

/** Readings i with `fresh[i] === 1`, each array keeping only those. */
function freshOnly(readings: ReadingColumns, fresh: Uint8Array, count: number): ReadingColumns {
  if (count === readings.length) return readings;
  const pick = <T extends Uint32Array | Float64Array>(all: T, out: T): T => {
    let next = 0;
    for (let i = 0; i < readings.length; i++) if (fresh[i] === 1) out[next++] = all[i] as number;
    return out;
  };
  return {
    length: count, devices: readings.devices, metrics: readings.metrics,
    device: pick(readings.device, new Uint32Array(count)), metric: pick(readings.metric, new Uint32Array(count)),
    ts: pick(readings.ts, new Float64Array(count)), seq: pick(readings.seq, new Float64Array(count)),
    value: pick(readings.value, new Float64Array(count)),
  };
}

/**
 * The fresh readings (`fresh[i] === 1`, `count` of them) as the columns of `schema` (which
 * readingsTableProblem accepted): reading_id is stored as what it is, its parts joined by ':'.
 */
export function readingBlockColumns(schema: TableSchema, all: ReadingColumns, fresh: Uint8Array, count: number): BlockColumns {
  const readings = freshOnly(all, fresh, count);
  const position = (name: string): number => schema.columns.findIndex((column) => column.name === name);
  const byName: Record<string, ColumnInput> = {
    reading_id: { kind: 'joined', parts: ['device_id', 'ts', 'seq', 'metric'].map(position), separator: ':' },
    device_id: { kind: 'strings', entries: readings.devices, indexes: readings.device },
    ts: { kind: 'numbers', values: readings.ts },
    seq: { kind: 'numbers', values: readings.seq },
    metric: { kind: 'strings', entries: readings.metrics, indexes: readings.metric },
    value: { kind: 'numbers', values: readings.value },
  };
  const columns = schema.columns.map((column): ColumnInput =>
    (Object.hasOwn(byName, column.name) ? byName[column.name] : undefined) ?? { kind: 'values', values: new Array<null>(count).fill(null) });
  return { length: count, columns };
}
