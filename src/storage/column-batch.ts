import type { ColumnBatch, StoredRow } from './engine.js';
import type { SqlValue } from './values.js';

/** `rows` turned into one column batch holding the columns at `positions` (`width` columns in all). */
export function rowsToColumnBatch(rows: readonly StoredRow[], positions: readonly number[], width: number): ColumnBatch {
  const columns: (SqlValue[] | undefined)[] = new Array<SqlValue[] | undefined>(width);
  for (const p of positions) {
    const column = new Array<SqlValue>(rows.length);
    for (let r = 0; r < rows.length; r++) column[r] = (rows[r] as StoredRow).values[p] ?? null;
    columns[p] = column;
  }
  const times = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) times[r] = (rows[r] as StoredRow).insertedAtMs;
  return { length: rows.length, columns, times };
}
